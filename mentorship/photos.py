"""Mentor photos: refuse what no page needs, store only what the pages show.

Pages show a photo as a round avatar of at most 5rem (80 CSS px); at 3x
density that is 240 px, so we store a square-cropped 256 × 256 JPEG. Re-encoding
also drops whatever else the file carried (EXIF location, extra chunks,
decompression bombs).
"""

import uuid
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MAX_MEGAPIXELS = 25
STORED_SIZE = (256, 256)
JPEG_QUALITY = 85


class PhotoError(ValueError):
    pass


def check_pixels(width: int, height: int) -> None:
    if width * height > MAX_MEGAPIXELS * 1_000_000:
        # Shown on the profile form, so in the reader's language and number format (12,000 / 12.000).
        raise PhotoError(
            _("That photo is %(width)s × %(height)s pixels (%(megapixels)s megapixels); please choose one under "
              "%(limit)s megapixels — a phone photo or a cropped portrait is plenty.")
            % {"width": number_format(width, force_grouping=True), "height": number_format(height, force_grouping=True),
               "megapixels": f"{width * height / 1e6:.0f}", "limit": MAX_MEGAPIXELS}
        )


def normalise(upload) -> ContentFile:
    """The uploaded image as the JPEG we store: upright, square-cropped, 256 px."""
    upload.seek(0)
    with Image.open(upload) as image:
        check_pixels(*image.size)
        image.draft("RGB", (STORED_SIZE[0] * 2, STORED_SIZE[1] * 2))  # JPEGs decode smaller, faster
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        else:
            image = image.convert("RGB")
        image = ImageOps.fit(image, STORED_SIZE, Image.Resampling.LANCZOS)
        out = BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
