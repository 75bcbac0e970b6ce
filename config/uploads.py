"""Image uploads that are not whole images get a form error, never a 500.

Wagtail reads an upload's size and format while validating it; bytes that only
start like an image (a truncated PNG or JPEG) make the image library raise
``OSError`` there, which Wagtail does not catch. ``WAGTAILIMAGES_IMAGE_FORM_BASE``
points here, so every image form (the add and edit pages, the multiple
uploader, the chooser's upload tab) uses :class:`DecodedImageField`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm


class DecodedImageField(WagtailImageField):
    def to_python(self, data):
        try:
            return super().to_python(data)
        except ValidationError:
            raise
        except Exception as exc:  # noqa: BLE001 - any decoder failure is bad input
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from exc


class ImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and not isinstance(field, DecodedImageField):
            self.fields["file"] = DecodedImageField(
                label=field.label, required=field.required, widget=field.widget
            )
