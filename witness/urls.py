from django.urls import path

from witness import views

app_name = "witness"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("<int:seq>/", views.event_detail, name="event_detail"),
]
