from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("", views.agency_list, name="agency_list"),
    path("<int:pk>/", views.agency_detail, name="agency_detail"),
    path("<int:pk>/manage/", views.agency_manage, name="agency_manage"),
    path("profile/", views.own_profile, name="own_profile"),
    path("notices/<int:card_id>/", views.notice_download, name="notice_download"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/respond/", views.finding_respond_view, name="finding_respond"),
    path("findings/<int:pk>/decide/", views.finding_decide_view, name="finding_decide"),
    path("findings/<int:pk>/appeal/", views.finding_appeal_view, name="finding_appeal"),
    path("findings/<int:pk>/appeal-decision/", views.appeal_decide_view, name="appeal_decide"),
    path("findings/<int:pk>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("statistics/", views.statistics, name="statistics"),
]
