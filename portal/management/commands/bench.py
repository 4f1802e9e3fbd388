import importlib
import json

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError


def registered_benchmarks() -> dict:
    """Each app lists its benchmarks in `<app>/benchmarks.py: BENCHMARKS = {name: callable}`."""
    found = {}
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.benchmarks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.benchmarks":
                raise
            continue
        found.update(getattr(module, "BENCHMARKS", {}))
    return found


class Command(BaseCommand):
    help = "Seed a large dataset and time one part of the product. The last line printed is JSON."

    def add_arguments(self, parser):
        parser.add_argument("name", help="which benchmark: " + ", ".join(sorted(registered_benchmarks())))
        parser.add_argument("--size", type=int, default=None, help="how much data to seed (benchmark's default)")
        parser.add_argument("--repeat", type=int, default=None, help="how many timed runs")

    def handle(self, *args, name, size, repeat, **options):
        benchmarks = registered_benchmarks()
        if name not in benchmarks:
            raise CommandError(f"Unknown benchmark {name!r}. Choose one of: {', '.join(sorted(benchmarks))}.")
        kwargs = {k: v for k, v in {"size": size, "repeat": repeat}.items() if v is not None}
        figures = benchmarks[name](stdout=self.stdout, **kwargs)
        self.stdout.write(json.dumps({"benchmark": name, **figures}))
