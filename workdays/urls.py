from django.urls import path

from workdays import views

app_name = "workdays"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("amend/", views.amend, name="amend"),
    path("amend/remove/", views.amendment_remove, name="amendment_remove"),
]
