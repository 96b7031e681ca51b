from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("lots/<int:lot_id>/", views.progress, name="progress"),
    path("lots/<int:lot_id>/form/", views.form_committee, name="form_committee"),
    path("lots/<int:lot_id>/work/", views.workspace, name="workspace"),
    path("lots/<int:lot_id>/scheme/", views.scheme_edit, name="scheme"),
    path("lots/<int:lot_id>/bids/<int:bid_id>/files/<int:part>/", views.bid_file, name="bid_file"),
    path("lots/<int:lot_id>/corrections/", views.score_correct_view, name="score_correct"),
    path("lots/<int:lot_id>/report/", views.report_generate_view, name="report_generate"),
    path("lots/<int:lot_id>/report/code/", views.signing_code, name="signing_code"),
    path("lots/<int:lot_id>/report/sign/", views.report_sign_view, name="report_sign"),
    path("lots/<int:lot_id>/report/absent/<int:member_id>/", views.signature_absence, name="signature_absence"),
    path("lots/<int:lot_id>/report.pdf", views.report_file, name="report_file"),
    path("lots/<int:lot_id>/publicity/", views.publicity, name="publicity"),
    path("lots/<int:lot_id>/publicity/start/", views.publicity_start, name="publicity_start"),
    path("lots/<int:lot_id>/publicity/objections/", views.objection_raise, name="objection_raise"),
    path("lots/<int:lot_id>/publicity/objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("lots/<int:lot_id>/award/", views.award_confirm, name="award_confirm"),
    path("lots/<int:lot_id>/award/notice.pdf", views.award_notice, name="award_notice"),
]
