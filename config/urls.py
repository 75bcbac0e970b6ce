from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, reverse
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from people import views as people_views

from .health import healthz
from .media import media_serve


class SignInRedirect(RedirectView):
    """Wagtail's own sign-in pages (admin, private pages) lead to allauth's.

    Only allauth signs people in, so the second factor and the rate limits
    always apply; a credentials POST to these addresses is refused (405).
    """

    http_method_names = ["get", "head", "options"]

    def get_redirect_url(self, *args, **kwargs):
        url = reverse("account_login")
        query = self.request.META.get("QUERY_STRING", "")
        return f"{url}?{query}" if query else url


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(
        "admin/login/",
        login_not_required(SignInRedirect.as_view()),
        name="admin_login_redirect",
    ),
    path(
        "_util/login/",
        login_not_required(SignInRedirect.as_view()),
        name="frontend_login_redirect",
    ),
    # Shared page and document passwords are turned off (people/views.py).
    path(
        "_util/authenticate_with_password/<int:restriction_id>/<int:page_id>/",
        people_views.shared_password_refused,
    ),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        people_views.shared_password_refused,
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("allauth.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("people/", include("people.urls")),
    path("onboarding/", include("onboarding.urls")),
    path("hub/", include("advocacy.urls")),
    path("insights/", include("insights.urls")),
    path("", include("identity.urls")),
]

urlpatterns += [
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media_serve, name="media")
]

# Wagtail serves every other path; the site root is the identity HomePage.
urlpatterns += [path("", include(wagtail_urls))]
