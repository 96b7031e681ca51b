from django.urls import path

app_name = "witness"

urlpatterns: list = []
