"""The texts the cascade sends: each template's default, its placeholders, and how a text is filled. Pure.

Owns the templates (English message ids, the French in snpctl/locale/fr/messages.po), the
placeholders each may use, the mail subjects, and the one way a text is filled (``fill``: only
``{name}``, nothing ``str.format`` would run). Knows the configuration only as records; nothing of
which event causes which message (``messages``), of rendering a request's values nor of sending
(``messaging``).
"""

from __future__ import annotations

import re

from snpctl.config.records import Config
from snpctl.domain.french import elide
from snpctl.i18n import N_, _

# template -> (kind of channel, default text). The defaults are English message ids, spoken in the workspace's
# language (the French in snpctl/locale/fr/messages.po); protocols.toml [messaging.templates] overrides them,
# as written, whatever the language (``template_text``).
TEMPLATES: dict[str, tuple[str, str]] = {
    "notify_member": (
        "sms",
        N_(
            "CPTS - unscheduled care request {request}: {motif}, {commune}. To be taken before {deadline}. "
            "To accept or refuse, call {cot_phone} and give the number {request}."
        ),
    ),
    "accepted_patient": (
        "sms",
        N_(
            "Hello {patient}, your appointment: {date} at {time} with {doctor}, {place}, {address}. "
            "If you get worse, call 15."
        ),
    ),
    "informed_treating_doctor": (
        "mail",
        N_(
            "Your patient {patient} called the CPTS unscheduled care line (request {request}, {motif}). "
            "{doctor} took them on: appointment on {date} at {time}, {place}."
        ),
    ),
    "reminder_patient": (
        "sms",
        N_(
            "Reminder: appointment {date} at {time} with {doctor}, {place}, {address}. "
            "If you cannot come, call {cot_phone}."
        ),
    ),
    "expired_patient": (
        "sms",
        N_(
            "Hello {patient}, no doctor could see you in time (request {request}). If you get worse, call 15; "
            "otherwise, tonight, the duty medical centre (call 15 to be directed there). Any question: call "
            "{cot_phone}."
        ),
    ),
    "expired_operator": (
        "sms",
        N_("Request {request} ({motif}) expired with nobody taking it. Call the patient back: {patient}, {phone}."),
    ),
    "synthesis_treating_doctor": (
        "mail",
        N_("Synthesis of the consultation of {patient} by {doctor} on {date} (request {request}, {motif}):\n\n{text}"),
    ),
    "failed_operator": (
        "sms",
        N_(
            "Message not delivered: {template} for {recipient} by {channel} (request {request}, attempt(s): "
            "{attempts}). Why: {why}. Check and do it by hand."
        ),
    ),
    # to the members asked and silent when a request is taken, cancelled or expires: one text true of all four
    "withdrawn_member": (
        "sms",
        N_("CPTS - request {request} ({motif}) is no longer to be taken, thank you: nothing to do."),
    ),
}
# template -> the subject of its mail (English message ids, like the templates); "CPTS {request}" for the others
SUBJECTS = {
    "informed_treating_doctor": N_("Your patient was taken on (request {request})"),
    "synthesis_treating_doctor": N_("Synthesis of a consultation (request {request})"),
    "expired_operator": N_("Request {request} expired"),
    "failed_operator": N_("Message not delivered (request {request})"),
}
COMMON = {"request", "motif", "commune", "cot_phone"}
PLACEHOLDERS: dict[str, set[str]] = {
    "notify_member": COMMON | {"deadline"},
    "accepted_patient": COMMON | {"patient", "date", "time", "doctor", "place", "address"},
    "informed_treating_doctor": COMMON | {"patient", "date", "time", "doctor", "place", "address"},
    "reminder_patient": COMMON | {"patient", "date", "time", "doctor", "place", "address"},
    "expired_patient": COMMON | {"patient"},
    "expired_operator": COMMON | {"patient", "phone"},
    "synthesis_treating_doctor": COMMON | {"patient", "date", "doctor", "text"},
    "failed_operator": COMMON | {"template", "recipient", "channel", "attempts", "why"},
    # no {commune}: nothing of the patient, not even where they live, once the member has nothing to do
    "withdrawn_member": {"request", "motif", "cot_phone"},
}


_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class TemplateProblem(ValueError):
    """Why a template text cannot be rendered: a sentence that quotes the offending text."""


def template_parts(text: str) -> list[tuple[str, bool]]:
    """A template as (literal text, False) and (placeholder name, True) parts.

    Only ``{name}`` placeholders; ``{{`` and ``}}`` are literal braces. No format specs,
    conversions, nested fields, attribute or index access: ``str.format`` would run them, and a
    nested field gets round the list of placeholders a template may use.
    """
    parts: list[tuple[str, bool]] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "{}" and text.startswith(char * 2, i):
            literal.append(char)
            i += 2
        elif char == "}":
            raise TemplateProblem(
                _("a lone }} at {quoted}; write }}}} for a literal brace.").format(
                    quoted=repr(text[max(0, i - 10) : i + 1])
                )
            )
        elif char == "{":
            end = text.find("}", i + 1)
            field = text[i + 1 : end] if end != -1 else text[i + 1 :]
            if end == -1 or "{" in field:
                shown = text[i : end + 1] if end != -1 else text[i : i + 20]
                raise TemplateProblem(
                    _(
                        "{quoted} is not a placeholder (a brace left open, or one inside another); "
                        "write {{name}}, and {{{{ }}}} for literal braces."
                    ).format(quoted=repr(shown))
                )
            if not _NAME.fullmatch(field):
                raise TemplateProblem(
                    _(
                        "{quoted}: only plain placeholders like {{time}} are allowed, no format "
                        "spec (:), conversion (!), attribute (.) or index ([ ])."
                    ).format(quoted=repr(text[i : end + 1]))
                )
            if literal:
                parts.append(("".join(literal), False))
                literal = []
            parts.append((field, True))
            i = end + 1
        else:
            literal.append(char)
            i += 1
    if literal:
        parts.append(("".join(literal), False))
    return parts


def fill(text: str, context: dict[str, str]) -> str:
    """``text`` with each ``{name}`` replaced by ``context[name]``, nothing else interpreted; "de {name}" is
    "d'{name}" when the value starts with a vowel ("d'Inès", French elision: ``french.elide``)."""
    out: list[str] = []
    after_text = False  # the last part was the template's own text, not a value
    for value, named in template_parts(text):
        if named:
            value = context[value]
            if after_text:
                out[-1] = elide(out[-1], value)
        out.append(value)
        after_text = not named
    return "".join(out)


def template_problem(name: str, text: str) -> str | None:
    """Why a template text would fail when rendered, or None. Checked by ``check`` and every configuration load."""
    try:
        fields = [value for value, named in template_parts(text) if named]
    except TemplateProblem as problem:
        return str(problem)
    for field in fields:
        if field not in PLACEHOLDERS[name]:
            return _("unknown placeholder {{{field}}}; this template can use: {known}.").format(
                field=field, known=", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS[name]))
            )
    return None


def template_text(config: Config, name: str) -> str:
    """The text of template ``name``: protocols.toml's, as written, else the default in the language spoken."""
    return config.messaging.templates.get(name) or _(TEMPLATES[name][1])


def subject_text(name: str) -> str:
    """The subject of a mail of template ``name``, in the language spoken."""
    subject = SUBJECTS.get(name)
    return _(subject) if subject is not None else "CPTS {request}"
