"""HTTP routes of the inbox test project (the WebSocket route is in asgi.py)."""
from django.urls import path
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from inbox import views

urlpatterns = [
    path("api/login", views.login_view),
    path("api/logout", views.logout_view),
    path("api/me", views.me_view),
    path("api/users", views.users_view),
    path("api/token/", TokenObtainPairView.as_view()),
    path("api/token/refresh/", TokenRefreshView.as_view()),
    path("api/conversations/<str:conversation_id>/messages", views.history_view),
    path("health", views.health_view),
    path("stats", views.stats_view),
]
