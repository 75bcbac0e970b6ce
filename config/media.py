"""Uploaded files (image renditions, originals) for signed-in people only.

Identity content is internal: the reverse proxy must not serve ``/media/``
itself, so every file goes through the sign-in check.

Only images a browser shows as pictures (PNG, JPEG, GIF, WebP, AVIF) are
answered inline, with their image type. Anything else stored here (a
document's file, an SVG or HTML that predates the upload rules) is a download
of unknown type that cannot run: ``application/octet-stream``, an attachment,
``nosniff`` and a sandboxing ``Content-Security-Policy``.

Documents are not served here at all: Wagtail's ``/documents/<id>/<name>``
view serves them, and it is the one that applies a collection's privacy (a
document shared with some groups only). Answering ``/media/documents/…`` too
would hand a restricted file to anyone who learnt its name.
"""

from __future__ import annotations

import posixpath

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .security import DOWNLOAD_POLICY

# Where Wagtail stores document files (wagtail.documents.models.get_upload_to).
DOCUMENTS_FOLDER = "documents/"
IMAGE_TYPES = {
    "avif": "image/avif",
    "gif": "image/gif",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}


@require_safe
@cache_control(private=True, max_age=3600)
def media_serve(request: HttpRequest, path: str) -> FileResponse:
    normalised = posixpath.normpath(path).lstrip("/")
    if normalised.startswith("..") or normalised != path.lstrip("/"):
        raise Http404
    if normalised.startswith(DOCUMENTS_FOLDER) or not default_storage.exists(
        normalised
    ):
        raise Http404
    extension = posixpath.splitext(normalised)[1].lstrip(".").lower()
    image_type = IMAGE_TYPES.get(extension)
    if image_type:
        response = FileResponse(
            default_storage.open(normalised, "rb"), content_type=image_type
        )
    else:
        response = FileResponse(
            default_storage.open(normalised, "rb"),
            as_attachment=True,
            filename=posixpath.basename(normalised),
            content_type="application/octet-stream",
        )
        response["Content-Security-Policy"] = DOWNLOAD_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response
