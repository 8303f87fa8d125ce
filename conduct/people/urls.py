from django.urls import path

from . import views

PRACTITIONERS = "reviews/<int:pk>/practitioners/"
FAMILY = "reviews/<int:pk>/family/"
MEMBER = FAMILY + "<int:member_pk>/"

urlpatterns = [
    path(PRACTITIONERS, views.practitioners, name="practitioners"),
    path(PRACTITIONERS + "add/", views.event_add, name="practitioner_event_add"),
    path(PRACTITIONERS + "<int:event_pk>/", views.event_edit, name="practitioner_event_edit"),
    path(FAMILY, views.family, name="family"),
    path(FAMILY + "add/", views.member_add, name="family_member_add"),
    path(MEMBER, views.member_detail, name="family_member"),
    path(MEMBER + "change/", views.member_edit, name="family_member_edit"),
    path(MEMBER + "contacts/add/", views.contact_add, name="family_contact_add"),
]
