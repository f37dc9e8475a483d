"""HTTP side of the inbox: sign-in (session cookie), who am I, SimpleJWT (in urls), history, health.

JSON in and out. The session views are CSRF-exempt: the suites call them without a page to read a
CSRF token from (an app would use Django's CSRF cookie).
"""
import json
from typing import Optional

from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from inbox.consumer import live_stats
from inbox.history import history

HISTORY_MAX = 200


def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _user_json(user) -> dict:
    return {"id": user.pk, "username": user.username, "name": user.get_full_name() or user.username}


@csrf_exempt
@require_POST
def login_view(request: HttpRequest) -> JsonResponse:
    """``{username, password}`` → the session cookie and ``{id, username, name}``; 401 when wrong."""
    body = _body(request)
    user = authenticate(request, username=body.get("username"), password=body.get("password"))
    if user is None:
        return JsonResponse({"error": "wrong username or password"}, status=401)
    login(request, user)
    return JsonResponse(_user_json(user))


@csrf_exempt
@require_POST
def logout_view(request: HttpRequest) -> JsonResponse:
    """Ends the session (the cookie's session row is deleted): sockets opened with it stay open."""
    logout(request)
    return JsonResponse({"ok": True})


@api_view(["GET"])
def me_view(request: Request) -> Response:
    """The signed-in user (session cookie or ``Authorization: Bearer <SimpleJWT access>``), or 401."""
    return Response(_user_json(request.user))


@csrf_exempt
@require_POST
def users_view(request: HttpRequest) -> JsonResponse:
    """Test-only sign-up: ``{username, password, name?}`` creates the user (or resets its password)."""
    body = _body(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not username or not isinstance(password, str) or not password:
        return JsonResponse({"error": "username and password must be non-empty strings"}, status=400)
    user, _ = get_user_model().objects.get_or_create(username=username[:150])
    user.first_name = str(body.get("name") or "")[:150]
    user.set_password(password)
    user.save()
    return JsonResponse(_user_json(user), status=201)


def _int(value: Optional[str]) -> Optional[int]:
    return int(value) if value is not None and value.isdigit() else None


@api_view(["GET"])
def history_view(request: Request, conversation_id: str) -> Response:
    """``GET /api/conversations/<id>/messages?before=&limit=``: TEXT frames, oldest first (session or JWT)."""
    limit = min(_int(request.query_params.get("limit")) or 50, HISTORY_MAX)
    return Response({"messages": history(conversation_id, _int(request.query_params.get("before")), limit)})


async def health_view(request: HttpRequest) -> JsonResponse:
    """200 once Redis answers, else 503."""
    try:
        # A send to a group nobody joined: touches Redis and delivers nothing.
        await get_channel_layer().group_send("health", {"type": "health.check"})
    except Exception as error:  # any failure to reach Redis means "not ready"
        print(f"health: Redis unreachable at {settings.REDIS_URL}: {error!r}", flush=True)
        return JsonResponse({"ok": False, "error": "Redis unreachable"}, status=503)
    return JsonResponse({"ok": True})


async def stats_view(request: HttpRequest) -> JsonResponse:
    """``{"inbox": {sockets, conversations, users}}`` of this process. Async: it reads the consumers'
    state on the event loop that changes it (a sync view would run in another thread)."""
    response = JsonResponse({"inbox": live_stats()})
    response["Access-Control-Allow-Origin"] = "*"
    return response
