"""Uploaded files (image renditions, originals) for signed-in people only.

Identity content is internal: the reverse proxy must not serve ``/media/``
itself, so every file goes through the sign-in check.
"""

from __future__ import annotations

import mimetypes
import posixpath

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(private=True, max_age=3600)
def media_serve(request: HttpRequest, path: str) -> FileResponse:
    normalised = posixpath.normpath(path).lstrip("/")
    if normalised.startswith("..") or normalised != path.lstrip("/"):
        raise Http404
    if not default_storage.exists(normalised):
        raise Http404
    content_type, _encoding = mimetypes.guess_type(normalised)
    response = FileResponse(
        default_storage.open(normalised, "rb"),
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
