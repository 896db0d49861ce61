from django.urls import path

from sciport.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("about/<slug:slug>/", views.part, name="part"),
]
