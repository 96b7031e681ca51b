from django.contrib import admin
from django.urls import include, path

from accounts.views import home as home_view

# Media is never served as static files: documents go through views that check who may read them.
urlpatterns = [
    path("", home_view, name="home"),
    path("", include("accounts.urls")),  # sign-in, registration, organisation, keys, review queue
    path("tenders/", include("bidding.urls")),
    path("agencies/", include("agencies.urls")),
    path("experts/", include("experts.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("ledger/", include("witness.urls")),
    path("calendar/", include("workdays.urls")),
    path("api/", include("config.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
