from django.urls import path

from experts.views import draws, pool, records, relationships

app_name = "experts"

urlpatterns = [
    path("", draws.draw_list, name="draw_list"),
    path("me/", pool.my_page, name="my_page"),
    path("me/relationships/", relationships.my_relationships, name="my_relationships"),
    path("me/relationships/<int:pk>/withdraw/", relationships.relationship_withdraw_view,
         name="relationship_withdraw"),
    path("pool/", records.pool_list, name="pool_list"),
    path("pool/<int:pk>/", records.expert_detail, name="expert_detail"),
    path("pool/<int:pk>/penalties/", records.penalty_add, name="penalty_add"),
    path("pool/<int:pk>/leave/", records.leave_add, name="leave_add"),
    path("pool/<int:pk>/status/", records.status_set, name="status_set"),
    path("evidence/<int:pk>/", records.evidence_download, name="evidence_download"),
    path("apply/", pool.apply, name="apply"),
    path("applications/", pool.application_queue, name="application_queue"),
    path("applications/<int:pk>/review/", pool.application_review_view, name="application_review"),
    path("import/", pool.import_view, name="import"),
    path("specialties/", pool.specialties, name="specialties"),
    path("invitations/<int:pk>/declare/", pool.conflict_declare_view, name="conflict_declare"),  # before <answer>
    path("invitations/<int:pk>/<str:answer>/", pool.invitation_answer, name="invitation_answer"),
    path("lots/<int:lot_id>/draw/", draws.draw_request_view, name="draw_request"),
    path("draws/<int:pk>/", draws.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/rate/<int:selection_id>/", draws.rate_view, name="rate"),
    path("draws/<int:pk>/verify/", draws.draw_verify_view, name="draw_verify"),
]
