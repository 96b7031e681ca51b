from django.urls import path

from accounts import views

app_name = "accounts"

# The home page is named "home" without a namespace: config/urls.py routes it.
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("register/done/", views.registered, name="registered"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("organisation/members/add/", views.member_add, name="member_add"),
    path("organisation/keys/add/", views.key_register, name="key_register"),
    path("organisation/keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/organisations/<int:pk>/", views.organisation_review, name="organisation_review"),
]
