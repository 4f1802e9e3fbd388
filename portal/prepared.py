"""Querysets compiled once per process and read together: the mechanism lives in config/prepared.py, where the
domain apps reach it too (the mentor's agenda compiles its querysets there); portal's pages import it here."""

from config.prepared import Prepared, read_together, when

__all__ = ["Prepared", "read_together", "when"]
