from django.urls import path

from experts.views import draws, pool

app_name = "experts"

urlpatterns = [
    path("", draws.draw_list, name="draw_list"),
    path("me/", pool.my_page, name="my_page"),
    path("apply/", pool.apply, name="apply"),
    path("applications/", pool.application_queue, name="application_queue"),
    path("applications/<int:pk>/review/", pool.application_review_view, name="application_review"),
    path("import/", pool.import_view, name="import"),
    path("specialties/", pool.specialties, name="specialties"),
    path("invitations/<int:pk>/<str:answer>/", pool.invitation_answer, name="invitation_answer"),
    path("invitations/<int:pk>/declare/", pool.conflict_declare_view, name="conflict_declare"),
    path("lots/<int:lot_id>/draw/", draws.draw_request_view, name="draw_request"),
    path("draws/<int:pk>/", draws.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/rate/<int:selection_id>/", draws.rate_view, name="rate"),
    path("draws/<int:pk>/verify/", draws.draw_verify_view, name="draw_verify"),
]
