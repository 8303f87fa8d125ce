from django.urls import path

from . import views

urlpatterns = [
    path("boards/<int:pk>/business-plan/", views.business_plan, name="business_plan"),
    path("boards/<int:pk>/business-plan/periods/add/", views.plan_period_create, name="plan_period_create"),
    path(
        "boards/<int:pk>/business-plan/periods/<int:period_pk>/change/",
        views.plan_period_edit,
        name="plan_period_edit",
    ),
    path(
        "boards/<int:pk>/business-plan/periods/<int:period_pk>/delete/",
        views.plan_period_delete,
        name="plan_period_delete",
    ),
    path(
        "boards/<int:pk>/business-plan/periods/<int:period_pk>/priorities/add/",
        views.plan_priority_create,
        name="plan_priority_create",
    ),
    path(
        "boards/<int:pk>/business-plan/priorities/<int:priority_pk>/change/",
        views.plan_priority_edit,
        name="plan_priority_edit",
    ),
    path(
        "boards/<int:pk>/business-plan/priorities/<int:priority_pk>/delete/",
        views.plan_priority_delete,
        name="plan_priority_delete",
    ),
    path("boards/<int:pk>/learning/", views.learning_framework, name="learning_framework"),
    path("boards/<int:pk>/learning/add/", views.learning_item_create, name="learning_item_create"),
    path("boards/<int:pk>/learning/<int:item_pk>/", views.learning_item, name="learning_item"),
    path(
        "boards/<int:pk>/learning/<int:item_pk>/change/", views.learning_item_edit, name="learning_item_edit"
    ),
    path(
        "boards/<int:pk>/learning/<int:item_pk>/delete/",
        views.learning_item_delete,
        name="learning_item_delete",
    ),
]
