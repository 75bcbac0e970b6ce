"""The new hire's pages: my path, module activities, to-do list, certificates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from people.inputs import id_parse
from people.models import Employee

from . import selectors, services
from .models import Certificate, CheckAttempt, DigestOptOut, ModulePage


def _employee(request: HttpRequest) -> Employee:
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    return employee


def my_path(request: HttpRequest) -> HttpResponse:
    """ "My path": every enrolment as a timeline by week, the next step first."""
    employee = getattr(request.user, "employee", None)
    overviews = selectors.employee_paths(employee=employee) if employee else []
    certificates = (
        Certificate.objects.filter(enrolment__employee=employee)
        .select_related("enrolment__path")
        .order_by("-issued_at")
        if employee
        else []
    )
    return render(
        request,
        "onboarding/my_path.html",
        {
            "overviews": overviews,
            "next_step": selectors.employee_next_step(overviews=overviews),
            "certificates": certificates,
            "advocate": (
                selectors.employee_advocate_certificate(employee=employee)
                if employee
                else None
            ),
            "expired": (
                selectors.employee_expired_certificate(employee=employee)
                if employee
                else None
            ),
        },
    )


# --- Module activities ---------------------------------------------------------


def activity_context(*, page: ModulePage, activity) -> dict:
    """What the activities partial shows: the open attempt, the last result."""
    context = {"page": page, "activity": activity, "state": activity.state}
    source = activity.source
    if source.has_check:
        attempt = activity.open_attempt
        if attempt is not None:
            context["questions"] = selectors.check_questions(
                source=source, display=page, layout=attempt.layout
            )
        result = activity.last_result
        if result is not None:
            questions = selectors.check_questions(
                source=source, display=page, layout=result.layout
            )
            context["result"] = result
            context["result_questions"] = [
                {
                    "question": q,
                    "chosen": [
                        o for o in q.options if o.id in result.answers.get(q.id, [])
                    ],
                    "right": {o.id for o in q.options if o.correct}
                    == set(result.answers.get(q.id, [])),
                }
                for q in questions
            ]
    if source.has_pulse:
        context["pulse_scale"] = range(1, 6)
        context["enps_scale"] = range(0, 11)
        context["pulse_questions"] = list(page.pulse_questions) or list(
            source.pulse_questions
        )
    return context


def _activity_response(
    request: HttpRequest, module: ModulePage, *, error: str = "", status: int = 200
) -> HttpResponse:
    """The activities block again (htmx) or the module page (a plain form post)."""
    employee = _employee(request)
    activity = selectors.module_activity(employee=employee, module=module)
    if activity is None:
        raise Http404
    if request.htmx:
        context = activity_context(page=module, activity=activity)
        context["error"] = error
        return render(request, "onboarding/_activities.html", context, status=status)
    if error:
        messages.error(request, error)
    return redirect(module.url + "#activities")


def _module_or_404(pk: int) -> ModulePage:
    return get_object_or_404(ModulePage.objects.live().specific(), pk=pk)


def _refused(request: HttpRequest, module: ModulePage) -> HttpResponse:
    return render(
        request,
        "onboarding/module_not_open.html",
        {"page": module, "state": None},
        status=403,
    )


def _run(request: HttpRequest, module: ModulePage, action) -> HttpResponse:
    """Do one activity; refusals come back as a message, nothing changed."""
    try:
        action()
    except services.ModuleNotOpen:
        return _refused(request, module)
    except services.ActivityRefused as refused:
        return _activity_response(request, module, error=str(refused), status=400)
    return _activity_response(request, module)


@require_POST
def module_complete(request: HttpRequest, pk: int) -> HttpResponse:
    module = _module_or_404(pk)
    employee = _employee(request)
    try:
        services.module_complete(employee=employee, module=module)
    except services.ModuleNotOpen:
        return _refused(request, module)
    except services.ActivityRefused as refused:
        return _activity_response(request, module, error=str(refused), status=400)
    messages.success(
        request, _("Well done: “%(title)s” is complete.") % {"title": module.title}
    )
    return redirect("onboarding:my_path")


@require_POST
def check_start(request: HttpRequest, pk: int) -> HttpResponse:
    module = _module_or_404(pk)
    employee = _employee(request)
    return _run(
        request,
        module,
        lambda: services.attempt_start(employee=employee, module=module),
    )


@require_POST
def attempt_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the person's own attempt: another person's is "not found"."""
    employee = _employee(request)
    attempt = get_object_or_404(
        CheckAttempt.objects.select_related("module"),
        pk=pk,
        enrolment__employee=employee,
    )
    # Show the result in the language the person was reading.
    shown = request.POST.get("page", "")
    module = attempt.module
    shown_id = id_parse(shown)
    if shown_id is not None:
        page = ModulePage.objects.live().filter(pk=shown_id).first()
        if page is not None and page.translation_key == module.translation_key:
            module = page
    answers = {
        key[2:]: request.POST.getlist(key)
        for key in request.POST
        if key.startswith("q-")
    }

    def submit():
        try:
            services.attempt_submit(
                employee=employee, attempt_id=attempt.pk, answers=answers
            )
        except CheckAttempt.DoesNotExist:
            raise Http404 from None

    return _run(request, module, submit)


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    module = _module_or_404(pk)
    employee = _employee(request)
    if request.POST.get("accept") != "yes":
        return _activity_response(
            request,
            module,
            error=_("Tick the box to confirm you read and accept the policy."),
            status=400,
        )
    return _run(
        request, module, lambda: services.acknowledge(employee=employee, module=module)
    )


@require_POST
def reflection(request: HttpRequest, pk: int) -> HttpResponse:
    module = _module_or_404(pk)
    employee = _employee(request)
    return _run(
        request,
        module,
        lambda: services.reflection_save(
            employee=employee,
            module=module,
            text=request.POST.get("text", ""),
            shared=request.POST.get("shared") == "yes",
        ),
    )


@require_POST
def pulse(request: HttpRequest, pk: int) -> HttpResponse:
    module = _module_or_404(pk)
    employee = _employee(request)
    return _run(
        request,
        module,
        lambda: services.pulse_submit(
            employee=employee, module=module, data=request.POST
        ),
    )


# --- To-do list for managers and buddies -----------------------------------------


def todo(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    tasks = selectors.employee_tasks(employee=employee)
    open_tasks = [t for t in tasks if not t.done]
    done = [t for t in tasks if t.done]
    page = Paginator(done, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "onboarding/todo.html",
        {
            "open_tasks": open_tasks,
            "done_page": page,
            "reflections": selectors.reflections_shared_with(employee=employee),
        },
    )


@require_POST
def task_done(request: HttpRequest, enrolment_id: int, module_id: int) -> HttpResponse:
    employee = _employee(request)
    try:
        progress = services.task_complete(
            assignee=employee, enrolment_id=enrolment_id, module_id=module_id
        )
    except services.ModuleNotOpen:
        raise Http404 from None
    except services.ActivityRefused as refused:
        messages.error(request, str(refused))
        return redirect("onboarding:todo")
    messages.success(
        request,
        _("Marked done: %(task)s with %(name)s.")
        % {
            "task": progress.module.specific.localized.task_description,
            "name": progress.enrolment.employee.full_name,
        },
    )
    return redirect("onboarding:todo")


# --- Certificates ---------------------------------------------------------------


def certificate(request: HttpRequest, code: str) -> HttpResponse:
    """The printable certificate: its owner, or people who may verify codes."""
    found = get_object_or_404(
        Certificate.objects.select_related("enrolment__employee", "enrolment__path"),
        code=code.upper(),
    )
    owner = found.enrolment.employee.user_id == request.user.pk
    if not owner and not request.user.has_perm("onboarding.view_certificate"):
        raise Http404
    return render(
        request,
        "onboarding/certificate.html",
        {
            "certificate": found,
            "path": found.enrolment.path.localized,
            "valid": found.expires_at is None or found.expires_at > timezone.now(),
        },
    )


# --- Digest unsubscribe (works from the email, signed in or not) ----------------

UNSUBSCRIBE_SALT = "onboarding.digest-unsubscribe"


def unsubscribe_token(*, employee: Employee) -> str:
    return signing.dumps(employee.pk, salt=UNSUBSCRIBE_SALT, compress=True)


@csrf_exempt  # the signed token is the proof; mail apps POST without a form
@login_not_required
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A button first (mail scanners follow links), then the opt-out."""
    try:
        employee_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404 from None
    employee = get_object_or_404(Employee, pk=employee_id)
    done = DigestOptOut.objects.filter(employee=employee).exists()
    if request.method == "POST":
        DigestOptOut.objects.get_or_create(employee=employee)
        done = True
    return render(
        request, "onboarding/unsubscribe.html", {"employee": employee, "done": done}
    )
