from django.urls import path

from . import views

urlpatterns = [
    path("boards/", views.board_list, name="board_list"),
    path("boards/<int:pk>/", views.board_detail, name="board_detail"),
    path("boards/<int:pk>/history/", views.board_history, name="board_history"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/history/", views.review_history, name="review_history"),
]
