from django.urls import path

from . import views

urlpatterns = [
    path("reviews/<int:pk>/input/", views.rounds, name="input_rounds"),
    path("reviews/<int:pk>/input/ask/", views.round_open, name="input_round_open"),
    path("reviews/<int:pk>/input/<int:round_pk>/reply/", views.reply, name="input_reply"),
]
