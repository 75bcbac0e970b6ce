"""Grupo Brisa's onboarding: two paths, in Spanish and English, and people at
every stage of them.

Loading it twice changes nothing. Pages carry a fixed translation key, so the
seed finds them again after an editor renames or moves one, and leaves what
exists as the editors left it. English pages are real translations that share
the Spanish pages' block ids, so answers and survey scores line up whichever
language a person reads.

Progress is written as rows with dates in the past (the services only act
"today"). Every date derives from the person's start date, so each completion
falls after its module's release and before today; the same plan applied again
writes the same values.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from identity.demo import (
    HASHTAG,
    HISTORY_SLUG,
    HOW_WE_WORK_SLUG,
    SOCIAL_SLUG,
    VOICE_SLUG,
    _translation_key,
    _values_ensure,
    demo_page_ensure,
)
from identity.models import CulturePage, Value
from identity.setup import identity_site_ensure
from people.demo import DOMAIN, Person, _email, _people
from people.models import Department, Employee, User

from .models import (
    Acknowledgement,
    Certificate,
    CheckAttempt,
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathIndexPage,
    PathPage,
    PulseResponse,
    PulseSubmission,
    Reflection,
)
from .selectors import module_release_date, pulse_month
from .services import enrolment_create, enrolment_sync

INDEX_SLUG = "itinerarios"
WELCOME_SLUG = "bienvenida-a-brisa"
BRAND_SLUG = "embajador-de-marca"

# Welcome path modules, in path order.
PRE = "preparando-tu-llegada"
VALUES = "nuestros-valores"
ONE_ON_ONE = "reunion-de-bienvenida"
LUNCH = "comida-con-tu-companero"
HISTORY = "nuestra-historia"
HOW = "como-trabajamos"
REFLECTION = "tus-dos-primeras-semanas"
PULSE = "como-te-va"
REFRESHER = "repaso-de-valores"
REVIEW = "revision-de-los-90-dias"
WELCOME_ORDER = (
    PRE,
    VALUES,
    ONE_ON_ONE,
    LUNCH,
    HISTORY,
    HOW,
    REFLECTION,
    PULSE,
    REFRESHER,
    REVIEW,
)
# Brand ambassador path modules.
VOICE = "como-habla-brisa"
POLICY = "politica-de-redes"
CHECK = "prueba-de-embajador"

# How long ago Cimientos opened the welcome path to everyone (people already on
# the staff caught up in the weeks after), and then the advocacy programme.
WELCOME_LAUNCH_DAYS = 480
BRAND_LAUNCH_DAYS = 425

HR_DIRECTOR = "dir.personas"
BRAND_REASON = "Se apuntó al programa de embajadores de marca."

Block = tuple[str, Any]
Content = dict[str, dict[str, Any]]  # language code → field values
Pages = dict[str, Page]  # language code → page


def _key(kind: str, name: str) -> uuid.UUID:
    return _translation_key("onboarding", f"{kind}:{name}")


def _block_id(*parts: object) -> str:
    """A block id shared by a module and its translation."""
    return str(_key("block", "/".join(str(p) for p in parts)))


def _roll(*parts: object, low: int, high: int) -> int:
    """A repeatable "random" number in [low, high] for demo variety."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return low + int.from_bytes(digest[:4], "big") % (high - low + 1)


# --- block helpers -------------------------------------------------------------


def _heading(text: str) -> Block:
    return ("heading", {"text": text, "level": "h2"})


def _text(html: str) -> Block:
    return ("rich_text", html)


def _callout(tone: str, title: str, html: str) -> Block:
    return ("callout", {"tone": tone, "title": title, "text": html})


def _quote(quote: str, attribution: str) -> Block:
    return ("quote", {"quote": quote, "attribution": attribution})


def _value_links(title: str, values: list[Value]) -> Block:
    return ("value_links", {"title": title, "values": values})


def _link(page: Page | None, text: str) -> str:
    """A rich-text link to ``page``, or just the words when it does not exist."""
    if page is None:
        return text
    return f'<a linktype="page" id="{page.pk}">{text}</a>'


@dataclass(frozen=True)
class Option:
    correct: bool
    es: tuple[str, str]  # answer, feedback
    en: tuple[str, str]


@dataclass(frozen=True)
class Question:
    es: str
    en: str
    options: tuple[Option, ...]
    multiple: bool = False


def _questions(module: str, questions: list[Question]) -> dict[str, list[dict]]:
    """The check in both languages, with the same question and answer ids."""
    found: dict[str, list[dict]] = {"es": [], "en": []}
    for language in found:
        for number, question in enumerate(questions, start=1):
            options = []
            for letter, option in enumerate(question.options):
                text, feedback = getattr(option, language)
                options.append(
                    {
                        "type": "item",
                        "id": _block_id(module, number, letter),
                        "value": {
                            "text": text,
                            "correct": option.correct,
                            "feedback": feedback,
                        },
                    }
                )
            found[language].append(
                {
                    "type": "question",
                    "id": _block_id(module, number),
                    "value": {
                        "question": getattr(question, language),
                        "multiple": question.multiple,
                        "options": options,
                    },
                }
            )
    return found


def _scales(module: str, statements: list[tuple[str, str]]) -> dict[str, list[dict]]:
    """Pulse statements in both languages, with the same ids (the scores' keys)."""
    return {
        language: [
            {
                "type": "scale",
                "id": _block_id(module, "scale", number),
                "value": {"question": texts[index]},
            }
            for number, texts in enumerate(statements, start=1)
        ]
        for index, language in enumerate(["es", "en"])
    }


# --- the index and the paths ---------------------------------------------------


def _index_content() -> Content:
    return {
        "es": {
            "title": "Tu itinerario",
            "intro": "<p>Tu acogida en Grupo Brisa, paso a paso: lo que toca cada "
            "semana, quién te acompaña y lo que ya has hecho.</p>",
        },
        "en": {
            "title": "Your path",
            "intro": "<p>Your welcome to Grupo Brisa, step by step: what comes each "
            "week, who is there for you and what you have already done.</p>",
        },
    }


def _welcome_content() -> Content:
    return {
        "es": {
            "title": "Bienvenida a Brisa",
            "intro": "<p>Tus primeros 90 días en Grupo Brisa, poco a poco: empieza "
            "una semana antes de tu primer día y cada paso se abre cuando toca. "
            "Nadie espera que lo sepas todo el primer día.</p>",
            "auto_enrol": True,
        },
        "en": {
            "title": "Welcome to Brisa",
            "intro": "<p>Your first 90 days at Grupo Brisa, a little at a time: it "
            "starts a week before your first day and each step opens when its time "
            "comes. Nobody expects you to know everything on day one.</p>",
        },
    }


def _brand_content() -> Content:
    return {
        "es": {
            "title": "Embajador de marca",
            "intro": "<p>Para quien quiera contar en sus redes, con sus propias "
            "palabras, cómo es trabajar en Brisa. Es <b>voluntario</b>: pide al "
            "equipo de Personas que te apunte cuando quieras. Al terminarlo "
            "obtienes la certificación de embajador de marca, válida un año.</p>",
            # Advocacy is voluntary: HR enrols the people who ask to take part.
            "auto_enrol": False,
            "grants_certification": True,
            "certification_valid_days": 365,
        },
        "en": {
            "title": "Brand ambassador",
            "intro": "<p>For anyone who would like to tell their own networks, in "
            "their own words, what working at Brisa is like. It's "
            "<b>voluntary</b>: ask the People team to sign you up whenever you "
            "like. When you finish, you are certified as a brand ambassador for a "
            "year.</p>",
        },
    }


# --- welcome modules -----------------------------------------------------------


@dataclass(frozen=True)
class ModuleSpec:
    slug: str
    content: Content
    prerequisites: tuple[str, ...] = ()


def _welcome_modules(
    values: dict[str, dict[str, Value]], culture: dict[str, dict[str, Page | None]]
) -> list[ModuleSpec]:
    all_values = {language: list(found.values()) for language, found in values.items()}
    people_team = f"personas@{DOMAIN}"
    refresher = _questions(
        REFRESHER,
        [
            Question(
                "Un huésped pide una almohada extra y a ti te quedan cinco minutos "
                "de turno. ¿Qué haces?",
                "A guest asks for an extra pillow and your shift ends in five "
                "minutes. What do you do?",
                (
                    Option(
                        True,
                        (
                            "Se la subo, o me aseguro de que el siguiente turno lo "
                            "sepa antes de irme.",
                            "Eso es «Un solo equipo» y «Cuidamos el detalle»: nada "
                            "se queda a medias en el relevo.",
                        ),
                        (
                            "I take it up, or make sure the next shift knows before "
                            "I leave.",
                            "That's “One team” and “We care about the details”: "
                            "nothing is left half done at handover.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Le digo que vuelva a llamar cuando entre el turno de "
                            "noche.",
                            "El huésped no tiene por qué conocer nuestros turnos: "
                            "el relevo es cosa nuestra.",
                        ),
                        (
                            "I ask them to call again when the night shift starts.",
                            "Guests don't need to know our shifts: the handover "
                            "is our job.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Lo apunto en un pósit para mañana.",
                            "Mañana es tarde para una almohada. Resuélvelo ahora o "
                            "pásalo en persona.",
                        ),
                        (
                            "I write it on a sticky note for tomorrow.",
                            "Tomorrow is too late for a pillow. Sort it now or hand "
                            "it over in person.",
                        ),
                    ),
                ),
            ),
            Question(
                "¿Cuáles de estas acciones son «Respeto por nuestro entorno»? Marca "
                "todas las que lo sean.",
                "Which of these are “Respect for our surroundings”? Tick every one "
                "that is.",
                (
                    Option(
                        True,
                        (
                            "Apagar la luz y el aire de las habitaciones vacías.",
                            "Sí: ahorrar energía es parte del valor.",
                        ),
                        (
                            "Switching off the lights and air conditioning in empty "
                            "rooms.",
                            "Yes: saving energy is part of the value.",
                        ),
                    ),
                    Option(
                        True,
                        (
                            "Comprar a proveedores del barrio cuando podemos.",
                            "Sí: también cuidamos la economía de nuestros vecinos.",
                        ),
                        (
                            "Buying from local suppliers when we can.",
                            "Yes: we look after our neighbours' economy too.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Subir la música de la terraza por la noche para animar "
                            "el ambiente.",
                            "Nuestros vecinos también descansan: el hotel es parte "
                            "del barrio.",
                        ),
                        (
                            "Turning up the music on the terrace at night to liven "
                            "things up.",
                            "Our neighbours need their rest too: the hotel is part "
                            "of the neighbourhood.",
                        ),
                    ),
                ),
                multiple=True,
            ),
            Question(
                "Te equivocas con una reserva mientras aprendes. ¿Qué esperamos de ti?",
                "You get a booking wrong while you are learning. What do we expect "
                "from you?",
                (
                    Option(
                        True,
                        (
                            "Que lo cuentes, lo arregles con ayuda y compartas lo "
                            "que has aprendido.",
                            "Exacto: «Aprender cada día» incluye el derecho a "
                            "equivocarse.",
                        ),
                        (
                            "To say so, fix it with some help and share what you "
                            "learned.",
                            "Exactly: “Learning every day” includes the right to "
                            "make mistakes.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Que lo soluciones sin decírselo a nadie.",
                            "Contarlo ayuda a que el equipo aprenda contigo y a que "
                            "no se repita.",
                        ),
                        (
                            "To fix it without telling anyone.",
                            "Telling people helps the team learn with you and stops "
                            "it happening again.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Que esperes a que lo descubra tu responsable.",
                            "Mejor contarlo cuanto antes: nadie te va a reñir por "
                            "un error de aprendizaje.",
                        ),
                        (
                            "To wait for your manager to find out.",
                            "Better to say so straight away: nobody will tell you "
                            "off for a learning mistake.",
                        ),
                    ),
                ),
            ),
        ],
    )
    pulse = _scales(
        PULSE,
        [
            (
                "Sé lo que se espera de mí en mi puesto.",
                "I know what is expected of me in my job.",
            ),
            (
                "Mi equipo me ha hecho sentir parte de él.",
                "My team has made me feel part of it.",
            ),
            (
                "Tengo lo que necesito para hacer bien mi trabajo.",
                "I have what I need to do my job well.",
            ),
            (
                "Mi responsable me dedica tiempo cuando lo necesito.",
                "My manager makes time for me when I need it.",
            ),
        ],
    )
    return [
        ModuleSpec(
            PRE,
            {
                "es": {
                    "title": "Preparando tu llegada",
                    "release_day": -7,
                    "due_days": 7,
                    "estimated_minutes": 10,
                    "body": [
                        _text(
                            "<p>¡Qué bien que vengas! Esta semana te contamos lo "
                            "práctico, para que tu primer día empiece sin sorpresas. "
                            "Si algo no encaja con lo que hablamos en la entrevista, "
                            "pregúntanos.</p>"
                        ),
                        _heading("Tu primer día"),
                        _text(
                            "<ul><li><b>Hora y lugar:</b> a las 9:00, salvo que tu "
                            "responsable te haya dicho otra hora, en la entrada de "
                            "personal, por la puerta lateral del hotel y no por el "
                            "vestíbulo de huéspedes. Allí te recogen.</li>"
                            "<li><b>Qué traer:</b> tu DNI o NIE, tu número de la "
                            "Seguridad Social y la cuenta para la nómina, si aún no "
                            "nos los has enviado.</li><li><b>Uniforme:</b> te lo "
                            "damos el primer día. Trae calzado negro, cómodo y "
                            "cerrado.</li><li><b>Comida:</b> comes en el comedor de "
                            "personal, sin coste, durante tu turno.</li></ul>"
                        ),
                        _heading("Tu primera semana"),
                        _text(
                            "<p>Los primeros días acompañas a alguien de tu equipo, "
                            "conoces el hotel por dentro (también las zonas que los "
                            "huéspedes no ven) y tu responsable se sienta contigo a "
                            "solas para hablar de lo que esperamos de ti y de lo que "
                            "te preocupa.</p>"
                        ),
                        _callout(
                            "tip",
                            "Tu compañero de acogida",
                            "<p>Tendrás un <b>compañero de acogida</b>: alguien de "
                            "tu equipo que conoce bien el hotel y al que puedes "
                            "preguntar cualquier cosa, por pequeña que sea.</p>",
                        ),
                        _callout(
                            "info",
                            "¿Dudas antes de empezar?",
                            f"<p>Escribe al equipo de Personas a <b>{people_team}"
                            f"</b>. Te contestamos en el día.</p>",
                        ),
                    ],
                },
                "en": {
                    "title": "Getting ready to join us",
                    "body": [
                        _text(
                            "<p>We're so glad you're joining us! This week we cover "
                            "the practical things, so your first day starts without "
                            "surprises. If anything doesn't match what we talked "
                            "about at your interview, just ask.</p>"
                        ),
                        _heading("Your first day"),
                        _text(
                            "<ul><li><b>Time and place:</b> 9:00, unless your "
                            "manager has told you otherwise, at the staff entrance: "
                            "the side door of the hotel, not the guest lobby. "
                            "Someone will meet you there.</li><li><b>What to "
                            "bring:</b> your ID card or NIE, your Social Security "
                            "number and your bank details for payroll, if you "
                            "haven't sent them yet.</li><li><b>Uniform:</b> we give "
                            "it to you on your first day. Wear comfortable, closed "
                            "black shoes.</li><li><b>Meals:</b> you eat in the staff "
                            "canteen, free of charge, during your shift.</li></ul>"
                        ),
                        _heading("Your first week"),
                        _text(
                            "<p>For the first few days you shadow someone from your "
                            "team, get to know the hotel from the inside (including "
                            "the areas guests never see) and your manager sits down "
                            "with you one to one to talk about what we expect and "
                            "anything that worries you.</p>"
                        ),
                        _callout(
                            "tip",
                            "Your buddy",
                            "<p>You'll have a <b>buddy</b>: someone from your team "
                            "who knows the hotel well and whom you can ask anything, "
                            "however small.</p>",
                        ),
                        _callout(
                            "info",
                            "Questions before you start?",
                            f"<p>Write to the People team at <b>{people_team}</b>. "
                            f"We'll reply the same day.</p>",
                        ),
                    ],
                },
            },
        ),
        ModuleSpec(
            VALUES,
            {
                "es": {
                    "title": "Nuestros valores",
                    "release_day": 1,
                    "due_days": 7,
                    "estimated_minutes": 10,
                    "body": [
                        _text(
                            "<p>En Brisa tenemos cinco valores. No son frases para "
                            "colgar en la pared: son la manera en que decidimos "
                            "cuando nadie nos dice qué hacer, en recepción, en la "
                            "cocina o en un pasillo a las tres de la mañana.</p>"
                        ),
                        _value_links("Nuestros cinco valores", all_values["es"]),
                        _quote(
                            "La hospitalidad empieza por casa: si cuidamos a nuestra "
                            "gente, nuestra gente cuidará de cada huésped.",
                            "Lucía Ferrer, directora general",
                        ),
                        _callout(
                            "tip",
                            "Para esta semana",
                            "<p>Fíjate en alguien de tu equipo que viva uno de los "
                            "valores y díselo. A todo el mundo le gusta que se lo "
                            "reconozcan.</p>",
                        ),
                    ],
                },
                "en": {
                    "title": "Our values",
                    "body": [
                        _text(
                            "<p>At Brisa we have five values. They aren't slogans "
                            "for the wall: they are how we decide when nobody tells "
                            "us what to do, at the front desk, in the kitchen or in "
                            "a corridor at three in the morning.</p>"
                        ),
                        _value_links("Our five values", all_values["en"]),
                        _quote(
                            "Hospitality begins at home: if we look after our "
                            "people, our people will look after every guest.",
                            "Lucía Ferrer, Chief Executive Officer",
                        ),
                        _callout(
                            "tip",
                            "For this week",
                            "<p>Notice someone on your team living one of the "
                            "values, and tell them. Everyone likes to be "
                            "noticed.</p>",
                        ),
                    ],
                },
            },
        ),
        ModuleSpec(
            ONE_ON_ONE,
            {
                "es": {
                    "title": "Reunión de bienvenida 1:1",
                    "release_day": 1,
                    "due_days": 5,
                    "estimated_minutes": 30,
                    "task_for": ModulePage.TaskFor.MANAGER,
                    "task_description": "Reunión a solas de media hora: "
                    "expectativas, turnos y dudas.",
                    "body": [
                        _text(
                            "<p>En tu primera semana, tu responsable se sienta "
                            "contigo media hora, a solas y lejos del mostrador. Es "
                            "tu momento para preguntar todo lo que no da tiempo a "
                            "preguntar durante el turno.</p>"
                        ),
                        _heading("De qué hablaréis"),
                        _text(
                            "<ul><li>Qué esperamos de tu puesto en los primeros 90 "
                            "días.</li><li>Tus turnos, tus descansos y cómo se piden "
                            "los cambios.</li><li>A quién acudir cuando tu "
                            "responsable no está.</li><li>Qué te ilusiona y qué te "
                            "preocupa.</li></ul>"
                        ),
                        _callout(
                            "tip",
                            "Un consejo",
                            "<p>Apunta tus dudas según te surjan durante la semana y "
                            "llévalas a la reunión. Ninguna es pequeña.</p>",
                        ),
                    ],
                },
                "en": {
                    "title": "Welcome 1:1 meeting",
                    "task_description": "Half an hour one to one: expectations, "
                    "shifts and questions.",
                    "body": [
                        _text(
                            "<p>In your first week, your manager sits down with you "
                            "for half an hour, one to one and away from the desk. "
                            "It's your time to ask everything there's no time to ask "
                            "during a shift.</p>"
                        ),
                        _heading("What you'll talk about"),
                        _text(
                            "<ul><li>What we expect from your role in the first 90 "
                            "days.</li><li>Your shifts, your breaks and how to ask "
                            "for changes.</li><li>Who to turn to when your manager "
                            "isn't around.</li><li>What you're looking forward to "
                            "and what worries you.</li></ul>"
                        ),
                        _callout(
                            "tip",
                            "A tip",
                            "<p>Jot down your questions as they come up during the "
                            "week and bring them along. None of them is too "
                            "small.</p>",
                        ),
                    ],
                },
            },
        ),
        ModuleSpec(
            LUNCH,
            {
                "es": {
                    "title": "Comida con tu compañero de acogida",
                    "release_day": 2,
                    "due_days": 7,
                    "estimated_minutes": 45,
                    "task_for": ModulePage.TaskFor.BUDDY,
                    "task_description": "Invítale a comer en el comedor de personal "
                    "y preséntale a la gente del turno.",
                    "body": [
                        _text(
                            "<p>En tus primeros días, tu compañero de acogida te "
                            "invita a comer en el comedor de personal. Es la mejor "
                            "forma de conocer a gente de otros turnos y "
                            "departamentos, y de enterarte de lo que no está escrito "
                            "en ningún sitio.</p>"
                        ),
                        _callout(
                            "info",
                            "Si trabajas de noche",
                            "<p>La comida puede ser un desayuno al acabar el turno o "
                            "una cena antes de empezarlo: lo importante es sentarse "
                            "juntos con calma.</p>",
                        ),
                    ],
                },
                "en": {
                    "title": "Lunch with your buddy",
                    "task_description": "Take them to lunch in the staff canteen "
                    "and introduce them to the people on shift.",
                    "body": [
                        _text(
                            "<p>In your first few days, your buddy takes you to "
                            "lunch in the staff canteen. It's the best way to meet "
                            "people from other shifts and departments, and to learn "
                            "the things that aren't written down anywhere.</p>"
                        ),
                        _callout(
                            "info",
                            "If you work nights",
                            "<p>Lunch can be breakfast after your shift or dinner "
                            "before it: what matters is sitting down together "
                            "without rushing.</p>",
                        ),
                    ],
                },
            },
        ),
        ModuleSpec(
            HISTORY,
            {
                "es": {
                    "title": "Nuestra historia",
                    "release_day": 3,
                    "due_days": 7,
                    "estimated_minutes": 8,
                    "body": [
                        _text(
                            "<p>En 1987, Ramón Ferrer abrió un hotel de 24 "
                            "habitaciones en el barrio de las Letras de Madrid, con "
                            "su familia en recepción. Doce años después llegamos a "
                            "Sevilla, a un antiguo palacete junto a la Alameda de "
                            "Hércules.</p><p>Desde entonces hemos reformado los dos "
                            "hoteles, abierto el restaurante La Brisa y conseguido el "
                            "certificado de turismo sostenible, sin dejar de ser una "
                            "empresa familiar en la que recepción conoce a los "
                            "huéspedes por su nombre.</p>"
                        ),
                        _quote(
                            "Mi padre decía que un hotel no se mide por sus "
                            "estrellas, sino por cuántos huéspedes vuelven.",
                            "Lucía Ferrer, directora general",
                        ),
                        _callout(
                            "tip",
                            "Pregunta por ahí",
                            "<p>Hay compañeros que llevan muchos años en la casa. "
                            "Pregúntales por la reapertura de Sevilla en 2021: "
                            "tienen anécdotas para rato.</p>",
                        ),
                        _text(
                            "<p>La historia completa, con todas las fechas, está en "
                            + _link(culture[HISTORY_SLUG]["es"], "Nuestra historia")
                            + ".</p>"
                        ),
                    ],
                },
                "en": {
                    "title": "Our history",
                    "body": [
                        _text(
                            "<p>In 1987, Ramón Ferrer opened a 24-room hotel in "
                            "Madrid's Barrio de las Letras, with his family on the "
                            "front desk. Twelve years later we arrived in Seville, "
                            "in a former mansion next to the Alameda de "
                            "Hércules.</p><p>Since then we have refurbished both "
                            "hotels, opened La Brisa restaurant and earned a "
                            "sustainable tourism certificate, while staying a family "
                            "business where the front desk knows guests by "
                            "name.</p>"
                        ),
                        _quote(
                            "My father used to say that a hotel isn't measured by "
                            "its stars, but by how many guests come back.",
                            "Lucía Ferrer, Chief Executive Officer",
                        ),
                        _callout(
                            "tip",
                            "Ask around",
                            "<p>Some colleagues have been with us for many years. "
                            "Ask them about reopening Seville in 2021: they have "
                            "plenty of stories.</p>",
                        ),
                        _text(
                            "<p>The full story, with every date, is in "
                            + _link(culture[HISTORY_SLUG]["en"], "Our history")
                            + "."
                            "</p>"
                        ),
                    ],
                },
            },
        ),
        ModuleSpec(
            HOW,
            {
                "es": {
                    "title": "Cómo trabajamos",
                    "release_day": 5,
                    "due_days": 7,
                    "estimated_minutes": 12,
                    "body": [
                        _text(
                            "<p>Un hotel no cierra nunca, así que lo más importante "
                            "es <b>el relevo</b>: al cambiar de turno, cuenta en "
                            "persona lo que queda pendiente y déjalo anotado en el "
                            "parte. Nadie se va sin pasar la información.</p>"
                        ),
                        (
                            "value_card",
                            {
                                "value": values["es"]["one-team"],
                                "note": "Recepción, cocina, sala o pisos: si un "
                                "huésped lo necesita, es cosa de todos.",
                            },
                        ),
                        _heading("Tus turnos"),
                        _text(
                            "<ul><li>El cuadrante se publica cada jueves para la "
                            "semana siguiente.</li><li>Los cambios de turno se piden "
                            "a tu responsable con 48 horas de antelación, salvo "
                            "urgencias.</li><li>Si vas a llegar tarde, llama a tu "
                            "hotel: no basta con un mensaje.</li></ul>"
                        ),
                        _heading("Cuando algo sale mal"),
                        _text(
                            "<p>Quien recibe una queja la resuelve, o acompaña al "
                            "huésped hasta quien pueda resolverla. En Brisa nunca "
                            "decimos «eso no es cosa mía». Y si te equivocas, "
                            "cuéntalo: aprendemos juntos.</p>"
                        ),
                        _text(
                            "<p>Para saber quién es quién, lee "
                            + _link(culture[HOW_WE_WORK_SLUG]["es"], "Cómo trabajamos")
                            + " en «Quiénes somos».</p>"
                        ),
                    ],
                },
                "en": {
                    "title": "How we work",
                    "body": [
                        _text(
                            "<p>A hotel never closes, so what matters most is <b>the "
                            "handover</b>: when your shift changes, tell the next "
                            "person what's still pending and note it in the log. "
                            "Nobody leaves without passing the information on.</p>"
                        ),
                        (
                            "value_card",
                            {
                                "value": values["en"]["one-team"],
                                "note": "Front desk, kitchen, restaurant or "
                                "housekeeping: if a guest needs it, it's everyone's "
                                "job.",
                            },
                        ),
                        _heading("Your shifts"),
                        _text(
                            "<ul><li>The rota is published every Thursday for the "
                            "following week.</li><li>Ask your manager for shift "
                            "changes 48 hours ahead, except in emergencies.</li>"
                            "<li>If you're going to be late, phone your hotel: a "
                            "message isn't enough.</li></ul>"
                        ),
                        _heading("When something goes wrong"),
                        _text(
                            "<p>Whoever receives a complaint solves it, or takes the "
                            "guest to someone who can. At Brisa we never say "
                            "“that's not my job”. And if you make a mistake, say so: "
                            "we learn together.</p>"
                        ),
                        _text(
                            "<p>To find out who's who, read "
                            + _link(culture[HOW_WE_WORK_SLUG]["en"], "How we work")
                            + " in “Who we are”.</p>"
                        ),
                    ],
                },
            },
        ),
        ModuleSpec(
            REFLECTION,
            {
                "es": {
                    "title": "Tus dos primeras semanas",
                    "release_day": 14,
                    "due_days": 7,
                    "estimated_minutes": 10,
                    "reflection_prompt": "¿Qué te ha sorprendido de tus dos primeras "
                    "semanas y qué te gustaría aprender ahora?",
                    "body": [
                        _text(
                            "<p>Llevas dos semanas con nosotros. Para un momento y "
                            "piensa en lo que has vivido: lo que te ha sorprendido, "
                            "lo que te ha costado y lo que te gustaría aprender "
                            "ahora.</p>"
                        ),
                        _callout(
                            "info",
                            "Tú decides quién lo lee",
                            "<p>Si marcas la casilla, tu responsable y tu compañero "
                            "de acogida podrán leerlo y hablarlo contigo. Si no, "
                            "solo lo ves tú.</p>",
                        ),
                    ],
                },
                "en": {
                    "title": "Your first two weeks",
                    "reflection_prompt": "What has surprised you in your first two "
                    "weeks, and what would you like to learn next?",
                    "body": [
                        _text(
                            "<p>You've been with us for two weeks. Take a moment to "
                            "think about how it's gone: what surprised you, what "
                            "was hard and what you'd like to learn next.</p>"
                        ),
                        _callout(
                            "info",
                            "You decide who reads it",
                            "<p>If you tick the box, your manager and your buddy can "
                            "read it and talk it over with you. If not, only you "
                            "can see it.</p>",
                        ),
                    ],
                },
            },
        ),
        ModuleSpec(
            PULSE,
            {
                "es": {
                    "title": "¿Cómo te va? Encuesta de los 30 días",
                    "release_day": 30,
                    "due_days": 7,
                    "estimated_minutes": 5,
                    "pulse_questions": pulse["es"],
                    "pulse_enps": True,
                    "body": [
                        _text(
                            "<p>Ya llevas un mes. Queremos saber cómo te estamos "
                            "acogiendo, para hacerlo mejor con quien venga después. "
                            "Son cinco minutos.</p>"
                        ),
                        _callout(
                            "info",
                            "Es anónima",
                            "<p>Tus respuestas no llevan tu nombre: solo guardamos el "
                            "departamento y el mes, y únicamente vemos resultados de "
                            "grupos de cinco personas o más.</p>",
                        ),
                    ],
                },
                "en": {
                    "title": "How's it going? 30-day survey",
                    "pulse_questions": pulse["en"],
                    "body": [
                        _text(
                            "<p>You've been here a month. We'd like to know how "
                            "well we're welcoming you, so we can do better for "
                            "whoever comes next. It takes five minutes.</p>"
                        ),
                        _callout(
                            "info",
                            "It's anonymous",
                            "<p>Your answers don't carry your name: we only keep the "
                            "department and the month, and we only see results for "
                            "groups of five people or more.</p>",
                        ),
                    ],
                },
            },
        ),
        ModuleSpec(
            REFRESHER,
            {
                "es": {
                    "title": "Repaso trimestral de valores",
                    "release_day": 60,
                    "due_days": 14,
                    "recurrence_days": 90,
                    "estimated_minutes": 5,
                    "questions": refresher["es"],
                    "pass_mark": 60,
                    "max_attempts": 0,
                    "body": [
                        _text(
                            "<p>Cada tres meses volvemos sobre nuestros valores con "
                            "tres preguntas rápidas sobre situaciones del día a día. "
                            "Sirve para refrescar la memoria, y puedes repetirlo "
                            "las veces que quieras.</p>"
                        ),
                        _value_links("Repasa los valores", all_values["es"]),
                    ],
                },
                "en": {
                    "title": "Quarterly values refresher",
                    "questions": refresher["en"],
                    "body": [
                        _text(
                            "<p>Every three months we come back to our values with "
                            "three quick questions about everyday situations. It's "
                            "there to refresh your memory, and you can take it as "
                            "many times as you like.</p>"
                        ),
                        _value_links("Go over the values", all_values["en"]),
                    ],
                },
            },
        ),
        ModuleSpec(
            REVIEW,
            {
                "es": {
                    "title": "Revisión de los 90 días",
                    "release_day": 90,
                    "due_days": 7,
                    "estimated_minutes": 45,
                    "task_for": ModulePage.TaskFor.MANAGER,
                    "task_description": "Revisión de final de acogida: logros, "
                    "objetivos y formación.",
                    "body": [
                        _text(
                            "<p>Al cumplir tres meses, tu responsable se sienta "
                            "contigo para repasar cómo ha ido la acogida: lo que has "
                            "aprendido, lo que te falta y qué formación te vendría "
                            "bien.</p>"
                        ),
                        _text(
                            "<ul><li>Lo que mejor te ha salido y lo que más te ha "
                            "costado.</li><li>Tus objetivos para los próximos seis "
                            "meses.</li><li>La formación que te interesa: idiomas, "
                            "vinos, gestión de reservas…</li><li>Cómo te ha ido con "
                            "tu compañero de acogida.</li></ul>"
                        ),
                        _callout(
                            "tip",
                            "Llévalo preparado",
                            "<p>Vuelve a leer lo que escribiste en tus dos primeras "
                            "semanas: ¿has aprendido lo que querías?</p>",
                        ),
                    ],
                },
                "en": {
                    "title": "Your 90-day review",
                    "task_description": "End-of-onboarding review: achievements, "
                    "goals and training.",
                    "body": [
                        _text(
                            "<p>When you reach three months, your manager sits down "
                            "with you to look back on your onboarding: what you've "
                            "learned, what's still to come and which training would "
                            "help you.</p>"
                        ),
                        _text(
                            "<ul><li>What went best and what was hardest.</li><li>"
                            "Your goals for the next six months.</li><li>The "
                            "training you're interested in: languages, wine, "
                            "reservations…</li><li>How things went with your "
                            "buddy.</li></ul>"
                        ),
                        _callout(
                            "tip",
                            "Come prepared",
                            "<p>Read again what you wrote after your first two "
                            "weeks: have you learned what you wanted to?</p>",
                        ),
                    ],
                },
            },
        ),
    ]


# --- brand ambassador modules --------------------------------------------------


def _pair(do: str, dont: str) -> dict[str, str]:
    return {"do": do, "dont": dont}


def _brand_modules(culture: dict[str, dict[str, Page | None]]) -> list[ModuleSpec]:
    check = _questions(
        CHECK,
        [
            Question(
                "Compartes una publicación de Brisa en tu perfil. ¿Qué añades siempre?",
                "You share a Brisa post on your profile. What do you always add?",
                (
                    Option(
                        True,
                        (
                            f"{HASHTAG}, para que se sepa que trabajas aquí.",
                            "Correcto: identificarte es lo honesto con tus contactos.",
                        ),
                        (
                            f"{HASHTAG}, so people know you work here.",
                            "Right: saying who you are is the honest thing to do "
                            "with your contacts.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Nada, si el texto ya es de la marca.",
                            "Aunque el texto sea de la marca, tus contactos tienen "
                            "que saber que trabajas aquí.",
                        ),
                        (
                            "Nothing, if the text already comes from the brand.",
                            "Even when the text is the brand's, your contacts need "
                            "to know you work here.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "El precio de la habitación.",
                            "No hace falta, y los precios no publicados no se "
                            "comparten nunca.",
                        ),
                        (
                            "The room rate.",
                            "There's no need, and unpublished prices are never shared.",
                        ),
                    ),
                ),
            ),
            Question(
                "¿Qué no se publica nunca? Marca todas las respuestas correctas.",
                "What is never posted? Tick every right answer.",
                (
                    Option(
                        True,
                        (
                            "El nombre o una foto reconocible de un huésped.",
                            "Exacto: los datos de huéspedes no salen nunca del hotel.",
                        ),
                        (
                            "A guest's name or a photo in which they can be "
                            "recognised.",
                            "Exactly: guest data never leaves the hotel.",
                        ),
                    ),
                    Option(
                        True,
                        (
                            "El número de habitación de un cliente conocido.",
                            "Correcto: es un dato de huésped aunque no digas su "
                            "nombre.",
                        ),
                        (
                            "The room number of a well-known guest.",
                            "Right: it's guest data even if you don't give their name.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Una foto de la terraza vacía al atardecer.",
                            "Esa sí puedes compartirla: no se ve a nadie ni nada "
                            "confidencial.",
                        ),
                        (
                            "A photo of the empty terrace at sunset.",
                            "That one you can share: nobody and nothing "
                            "confidential is in it.",
                        ),
                    ),
                    Option(
                        True,
                        (
                            "La ocupación del hotel este fin de semana.",
                            "Sí: es información interna.",
                        ),
                        (
                            "How full the hotel is this weekend.",
                            "Yes: that's internal information.",
                        ),
                    ),
                ),
                multiple=True,
            ),
            Question(
                "Tu responsable comenta la oferta de verano y a ti no te apetece "
                "compartirla. ¿Qué pasa?",
                "Your manager mentions the summer offer and you don't feel like "
                "sharing it. What happens?",
                (
                    Option(
                        True,
                        (
                            "Nada: participar es voluntario y no afecta a tu "
                            "evaluación ni a tus turnos.",
                            "Así es. Compartir es una invitación, nunca una "
                            "obligación.",
                        ),
                        (
                            "Nothing: taking part is voluntary and doesn't affect "
                            "your review or your shifts.",
                            "That's right. Sharing is an invitation, never an "
                            "obligation.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Tienes que hacerlo: es parte de tu trabajo.",
                            "No: la política deja claro que es voluntario.",
                        ),
                        (
                            "You have to: it's part of your job.",
                            "No: the policy makes it clear that it's voluntary.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Tu responsable lo tendrá en cuenta en tu evaluación.",
                            "No tiene ninguna consecuencia, y tu responsable solo "
                            "ve totales del equipo.",
                        ),
                        (
                            "Your manager will take it into account in your review.",
                            "It has no consequences at all, and your manager only "
                            "sees team totals.",
                        ),
                    ),
                ),
            ),
            Question(
                "¿Cuáles de estas publicaciones suenan a Brisa? Marca todas las que "
                "lo hagan.",
                "Which of these posts sound like Brisa? Tick every one that does.",
                (
                    Option(
                        True,
                        (
                            "«Hoy estrenamos menú de temporada con producto de la "
                            f"sierra. ¡Venid a probarlo! {HASHTAG}»",
                            "Cercana, concreta e identificada.",
                        ),
                        (
                            "“Our seasonal menu launches today, with produce from "
                            f"the mountains. Come and try it! {HASHTAG}”",
                            "Warm, specific and identified.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "«¡¡¡EL MEJOR HOTEL DE MADRID!!! ¡¡RESERVA YA!!»",
                            "Las mayúsculas y los gritos no son nuestra voz.",
                        ),
                        (
                            "“THE BEST HOTEL IN MADRID!!! BOOK NOW!!”",
                            "Capitals and shouting aren't our voice.",
                        ),
                    ),
                    Option(
                        True,
                        (
                            "«Mi primer mes en recepción: lo mejor, el equipo de "
                            f"noche. {HASHTAG}»",
                            "Con tus propias palabras: es lo que mejor funciona.",
                        ),
                        (
                            "“My first month on the front desk: the best bit is the "
                            f"night team. {HASHTAG}”",
                            "In your own words: that's what works best.",
                        ),
                    ),
                ),
                multiple=True,
            ),
            Question(
                "Alguien critica el hotel en un comentario a tu publicación. ¿Qué "
                "haces?",
                "Someone criticises the hotel in a comment on your post. What do "
                "you do?",
                (
                    Option(
                        True,
                        (
                            "Ni discuto ni borro con prisas: escribo al equipo de "
                            "Comunicación.",
                            "Correcto: te ayudarán a responder, o responderán ellos.",
                        ),
                        (
                            "I don't argue or delete in a hurry: I write to the "
                            "Communications team.",
                            "Right: they'll help you reply, or reply themselves.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Le contesto explicando por qué se equivoca.",
                            "Discutir en público suele empeorar las cosas: pide "
                            "ayuda a Comunicación.",
                        ),
                        (
                            "I reply explaining why they're wrong.",
                            "Arguing in public usually makes things worse: ask "
                            "Communications for help.",
                        ),
                    ),
                    Option(
                        False,
                        (
                            "Borro la publicación y no digo nada.",
                            "Borrar con prisas puede parecer que escondemos algo. "
                            "Mejor pedir ayuda.",
                        ),
                        (
                            "I delete the post and say nothing.",
                            "Deleting in a hurry can look as if we're hiding "
                            "something. Better to ask for help.",
                        ),
                    ),
                ),
            ),
        ],
    )
    return [
        ModuleSpec(
            VOICE,
            {
                "es": {
                    "title": "Cómo habla Brisa en redes",
                    "release_day": 15,
                    "due_days": 45,
                    "estimated_minutes": 10,
                    "body": [
                        _text(
                            "<p>Cuando hablas de Brisa en tus redes, hablas tú, no "
                            "la marca. Por eso lo que mejor funciona es lo "
                            "auténtico: lo que has vivido, contado como se lo "
                            "contarías a un amigo.</p>"
                        ),
                        (
                            "brand_voice",
                            {
                                "title": "Así sí, así no",
                                "pairs": [
                                    _pair(
                                        "Hoy he montado mi primera mesa de boda en "
                                        "La Brisa. ¡Qué nervios y qué orgullo! "
                                        f"{HASHTAG}",
                                        "¡Celebra tu boda en el Hotel Brisa! Los "
                                        "mejores precios de Madrid.",
                                    ),
                                    _pair(
                                        "Mi rincón favorito del hotel: la terraza a "
                                        f"las ocho de la tarde. {HASHTAG}",
                                        "Una foto de la terraza con huéspedes que se "
                                        "reconocen al fondo.",
                                    ),
                                    _pair(
                                        "¡Gracias por venir! Se lo paso al equipo de "
                                        "cocina.",
                                        "Discutir en los comentarios con un huésped "
                                        "descontento.",
                                    ),
                                ],
                            },
                        ),
                        _callout(
                            "tip",
                            "Una regla de oro",
                            f"<p>Si hablas de Brisa, añade <b>{HASHTAG}</b>. Así tus "
                            f"contactos saben que trabajas aquí.</p>",
                        ),
                        _text(
                            "<p>Más ejemplos, también para hablar con huéspedes, en "
                            + _link(culture[VOICE_SLUG]["es"], "Nuestra voz de marca")
                            + ".</p>"
                        ),
                    ],
                },
                "en": {
                    "title": "How Brisa sounds on social media",
                    "body": [
                        _text(
                            "<p>When you talk about Brisa on your own networks, "
                            "you're speaking, not the brand. That's why what works "
                            "best is what's genuine: something you lived, told the "
                            "way you'd tell a friend.</p>"
                        ),
                        (
                            "brand_voice",
                            {
                                "title": "Like this, not like that",
                                "pairs": [
                                    _pair(
                                        "Today I set up my first wedding table at La "
                                        "Brisa. So nervous and so proud! "
                                        f"{HASHTAG}",
                                        "Celebrate your wedding at Hotel Brisa! The "
                                        "best prices in Madrid.",
                                    ),
                                    _pair(
                                        "My favourite spot in the hotel: the terrace "
                                        f"at eight in the evening. {HASHTAG}",
                                        "A photo of the terrace with recognisable "
                                        "guests in the background.",
                                    ),
                                    _pair(
                                        "Thanks for coming! I'll pass it on to the "
                                        "kitchen team.",
                                        "Arguing in the comments with an unhappy "
                                        "guest.",
                                    ),
                                ],
                            },
                        ),
                        _callout(
                            "tip",
                            "A golden rule",
                            f"<p>If you talk about Brisa, add <b>{HASHTAG}</b>. That "
                            f"way your contacts know you work here.</p>",
                        ),
                        _text(
                            "<p>More examples, including how we talk to guests, in "
                            + _link(culture[VOICE_SLUG]["en"], "Our brand voice")
                            + "."
                            "</p>"
                        ),
                    ],
                },
            },
        ),
        ModuleSpec(
            POLICY,
            {
                "es": {
                    "title": "Política de redes sociales",
                    "release_day": 15,
                    "due_days": 45,
                    "estimated_minutes": 8,
                    "body": [
                        _text(
                            "<p>Antes de compartir nada, lee la política y confirma "
                            "que la aceptas. Es corta, y está pensada para "
                            "protegerte a ti, a tus compañeros y a nuestros "
                            "huéspedes.</p>"
                        ),
                        (
                            "policy",
                            {
                                "title": "Política de redes sociales de Grupo Brisa",
                                "text": "<h3>Lo esencial</h3><ul><li><b>Con tus "
                                "propias palabras:</b> cuenta lo que quieras como tú "
                                "lo contarías, sin copiar y pegar mensajes.</li>"
                                f"<li><b>Siempre con {HASHTAG}</b> cuando hables de "
                                "Grupo Brisa, sus hoteles o sus ofertas.</li><li><b>"
                                "Hablas en tu nombre</b>, nunca en el de la "
                                "empresa.</li></ul><h3>Lo que no se publica "
                                "nunca</h3><ul><li>Datos de huéspedes: nombres, "
                                "fotos en las que se les reconozca, números de "
                                "habitación, fechas de estancia o reservas.</li>"
                                "<li>Información interna: precios no publicados, "
                                "ocupación, resultados o incidencias de "
                                "seguridad.</li><li>Fotos de zonas de trabajo en "
                                "las que se vean pantallas, documentos o "
                                "llaves.</li></ul><h3>Si algo sale mal</h3><p>Si "
                                "publicas algo por error o recibes un comentario "
                                "que no sabes cómo responder, no discutas ni borres "
                                "con prisas: escribe al equipo de Comunicación.</p>",
                            },
                        ),
                        _callout(
                            "important",
                            "Es voluntario",
                            "<p>Nadie está obligado a compartir contenido de Brisa. "
                            "No hacerlo no afecta a tu evaluación ni a tus turnos, y "
                            "tu responsable solo ve totales del equipo.</p>",
                        ),
                        _text(
                            "<p>La versión completa, con ejemplos, está en "
                            + _link(
                                culture[SOCIAL_SLUG]["es"], "Política de redes sociales"
                            )
                            + ".</p>"
                        ),
                    ],
                },
                "en": {
                    "title": "Social media policy",
                    "body": [
                        _text(
                            "<p>Before you share anything, read the policy and "
                            "confirm that you accept it. It's short, and it's there "
                            "to protect you, your colleagues and our guests.</p>"
                        ),
                        (
                            "policy",
                            {
                                "title": "Grupo Brisa social media policy",
                                "text": "<h3>The essentials</h3><ul><li><b>In your "
                                "own words:</b> say what you want the way you would "
                                "say it, without copying and pasting messages.</li>"
                                f"<li><b>Always with {HASHTAG}</b> when you talk "
                                "about Grupo Brisa, its hotels or its offers.</li>"
                                "<li><b>You speak for yourself</b>, never on behalf "
                                "of the company.</li></ul><h3>What is never "
                                "posted</h3><ul><li>Guest data: names, photos in "
                                "which they can be recognised, room numbers, dates "
                                "of stay or bookings.</li><li>Internal information: "
                                "unpublished prices, occupancy, results or security "
                                "incidents.</li><li>Photos of work areas showing "
                                "screens, documents or keys.</li></ul><h3>If "
                                "something goes wrong</h3><p>If you post something "
                                "by mistake or get a comment you don't know how to "
                                "answer, don't argue or delete in a hurry: write to "
                                "the Communications team.</p>",
                            },
                        ),
                        _callout(
                            "important",
                            "It's voluntary",
                            "<p>Nobody has to share Brisa content. Not doing so has "
                            "no effect on your review or your shifts, and your "
                            "manager only sees team totals.</p>",
                        ),
                        _text(
                            "<p>The full version, with examples, is in "
                            + _link(culture[SOCIAL_SLUG]["en"], "Social media policy")
                            + ".</p>"
                        ),
                    ],
                },
            },
        ),
        ModuleSpec(
            CHECK,
            {
                "es": {
                    "title": "Prueba de embajador de marca",
                    "release_day": 22,
                    "due_days": 45,
                    "estimated_minutes": 10,
                    "questions": check["es"],
                    "pass_mark": 80,
                    "max_attempts": 3,
                    "shuffle": True,
                    "body": [
                        _text(
                            "<p>Cinco preguntas sobre lo que acabas de leer. "
                            "Necesitas un 80 % para aprobar y tienes tres intentos; "
                            "después de cada uno verás por qué cada respuesta es o "
                            "no correcta.</p>"
                        ),
                        _callout(
                            "info",
                            "Al aprobar",
                            "<p>Obtienes la certificación de embajador de marca, "
                            "válida durante un año. Cuando caduque, te avisaremos "
                            "para que repases el itinerario.</p>",
                        ),
                    ],
                },
                "en": {
                    "title": "Brand ambassador check",
                    "questions": check["en"],
                    "body": [
                        _text(
                            "<p>Five questions about what you have just read. You "
                            "need 80% to pass and you have three attempts; after "
                            "each one you'll see why every answer is right or "
                            "wrong.</p>"
                        ),
                        _callout(
                            "info",
                            "When you pass",
                            "<p>You are certified as a brand ambassador for a year. "
                            "When it expires, we'll let you know so you can go over "
                            "the path again.</p>",
                        ),
                    ],
                },
            },
            prerequisites=(VOICE, POLICY),
        ),
    ]


# --- pages -----------------------------------------------------------------------


def _page_ensure(
    *,
    parents: Pages,
    model: type[Page],
    key: str,
    slug: str,
    content: Content,
    m2m: dict[str, dict[str, list]] | None = None,
    any_child: bool = False,
) -> Pages:
    """The identity seed's page helper, with keys in the onboarding namespace."""
    return demo_page_ensure(
        parents=parents,
        model=model,
        slug=slug,
        content=content,
        translation_key=_key("page", key),
        m2m=m2m,
        any_child=any_child,
    )


def _culture_pages() -> dict[str, dict[str, Page | None]]:
    """The identity pages modules link to (None where the identity seed is absent)."""
    return {
        slug: {
            language: CulturePage.objects.filter(
                translation_key=_translation_key("page", slug),
                locale__language_code=language,
            ).first()
            for language in ("es", "en")
        }
        for slug in (HISTORY_SLUG, HOW_WE_WORK_SLUG, VOICE_SLUG, SOCIAL_SLUG)
    }


def _path_ensure(
    *, index: Pages, slug: str, content: Content, modules: list[ModuleSpec]
) -> tuple[Pages, dict[str, Pages]]:
    path = _page_ensure(
        parents=index, model=PathPage, key=f"path:{slug}", slug=slug, content=content
    )
    found: dict[str, Pages] = {}
    for spec in modules:
        # Settings (release day, pass mark…) live on the Spanish page and are
        # copied to the translation; the English side only carries words.
        m2m = {
            language: {
                "prerequisites": [found[p][language] for p in spec.prerequisites]
            }
            for language in ("es", "en")
        }
        found[spec.slug] = _page_ensure(
            parents=path,
            model=ModulePage,
            key=f"module:{slug}/{spec.slug}",
            slug=spec.slug,
            content=spec.content,
            m2m=m2m if spec.prerequisites else None,
        )
    return path, found


# --- people at every stage ---------------------------------------------------------


@dataclass
class Step:
    """One module in one person's history."""

    module: str
    done: datetime | None  # None: started, not finished (a failed check)
    by: User | None = None  # who marked a task done
    attempts: list[tuple[datetime, int]] = field(default_factory=list)  # (at, right)
    shared: bool = False  # reflection shared with manager and buddy
    scores: dict[str, int] = field(default_factory=dict)  # pulse answers by index


@dataclass
class Plan:
    employee: Employee
    path: str
    enrolled: datetime
    steps: list[Step]
    completed: datetime | None = None
    certified: datetime | None = None
    manual_by: User | None = None  # HR enrolled the person by hand


def _at(day: date, *parts: object) -> datetime:
    """A working-hours moment on ``day``, the same each time for the same parts."""
    return datetime.combine(
        day,
        time(_roll(*parts, "h", low=9, high=18), _roll(*parts, "m", low=0, high=59)),
        tzinfo=timezone.get_current_timezone(),
    )


# Welcome path: what each person has done, by their key in the demo organisation.
# Anyone not listed (on the staff since before the path existed) did everything.
def _through(last: str) -> tuple[str, ...]:
    return WELCOME_ORDER[: WELCOME_ORDER.index(last) + 1]


WELCOME_DONE: dict[str, tuple[str, ...]] = {
    "staff01": (),  # Laura, starts in 10 days: pre-boarding not open yet
    "staff02": (),  # Oliver, starts in 3 days: "Getting ready" is open
    "staff09": (),  # Sergio, starts in 7 days: pre-boarding opened today
    "staff17": (PRE,),  # Lorena, starts in 5 days: read it already
    "staff13": (PRE, VALUES, ONE_ON_ONE),  # Nerea, day 3
    "staff06": (PRE, VALUES, LUNCH),  # Claire, day 6: her 1:1 is due today
    "staff21": (PRE, VALUES, ONE_ON_ONE, LUNCH, HISTORY),  # Víctor, day 9
    # Hugo, night receptionist, day 13: no 1:1 or lunch yet, both overdue.
    "staff03": (PRE, VALUES, HISTORY),
    "staff24": _through(HOW),  # Paula, day 16: the reflection is open
    "staff10": _through(REFLECTION),  # Giulia, day 21
    # Yolanda, day 31: stalled after her first days, three modules overdue.
    "staff18": (PRE, VALUES, ONE_ON_ONE, LUNCH),
    "staff25": _through(PULSE),  # Emma, day 41
    "staff04": _through(REFLECTION),  # Irene, day 46: the 30-day survey overdue
    "staff07": _through(PULSE),  # Manuel, day 61: the refresher is open
    "staff22": _through(REFRESHER),  # Mark, day 71
    "staff14": _through(REFRESHER),  # James, day 76
    "staff11": _through(REFRESHER),  # Raúl, day 91: his 90-day review is open
    "staff15": _through(REFRESHER),  # Cristina, day 111: 90-day review overdue
}
SHARED_REFLECTIONS = {"staff04", "staff10", "staff14"}

# Brand ambassadors: days since their certificate was issued (over 365: expired).
CERTIFIED_DAYS_AGO = {
    "lead.sala": 90,
    "staff08": 70,  # Alba: certified within her first two months
    "staff26": 150,
    "hr.editor": 200,
    "staff05": 240,
    "staff12": 300,
    "comms": 330,  # expires in a month
    "lead.fd.sev": 380,  # lapsed two weeks ago
    "staff16": 400,  # lapsed a month ago, renewing: read the brand voice again
}
FAILED_FIRST = {"staff12", "comms"}
RENEWED_VOICE_DAYS_AGO = {"staff16": 6}

REFLECTIONS = {
    "es": [
        "Me ha sorprendido lo en serio que nos tomamos los relevos: nadie se va sin "
        "contar lo pendiente. Ahora me gustaría aprender a atender quejas con más "
        "calma.",
        "Lo que más me ha gustado es que todo el mundo me saluda por mi nombre, "
        "también gente de otros departamentos. Quiero aprender bien el programa de "
        "reservas.",
        "No esperaba ver a la directora general una mañana en recepción. Me "
        "gustaría entender mejor cómo trabaja cocina para coordinarnos en los "
        "desayunos.",
        "Al principio me costó aprenderme tantos nombres y siglas, pero mi "
        "compañero de acogida me hizo una chuleta. Ahora quiero cerrar la caja sin "
        "ayuda.",
        "Me ha sorprendido que se pueda preguntar de todo sin que nadie ponga mala "
        "cara. Me gustaría aprender más sobre los vinos de la carta.",
        "Las primeras noches fueron duras, pero el equipo está muy unido. Me "
        "gustaría formarme para atender mejor en inglés y en francés.",
    ],
    "en": [
        "I was surprised by how seriously everyone takes shift handovers. Next I'd "
        "like to learn to handle guest complaints more calmly.",
        "Everyone greets me by name, even people from other departments. I'd like "
        "to learn the booking system properly.",
        "Learning all the names and acronyms was hard at first, but my buddy wrote "
        "me a cheat sheet. Next I want to learn the Spanish phrases guests ask for "
        "most.",
    ],
}


@dataclass(frozen=True)
class Cast:
    """The demo organisation as the seed needs it."""

    people: list[Person]
    employees: dict[str, Employee]
    today: date

    def user(self, key: str | None) -> User | None:
        employee = self.employees.get(key) if key else None
        return employee.user if employee else None

    def buddy(self, person: Person) -> User | None:
        """Their buddy, or who would have been it (people/demo's rule) for those
        who started before buddies were assigned in the demo."""
        employee = self.employees[person.key]
        if employee.buddy_id:
            return employee.buddy.user
        for peer in self.people:
            if (
                peer.key != person.key
                and person.team
                and peer.team == person.team
                and peer.manager
                and peer.start_offset <= -90
                and peer.key in self.employees
            ):
                return self.employees[peer.key].user
        return None


def _cast(today: date) -> Cast:
    people = _people()
    by_email = {
        employee.user.email.lower(): employee
        for employee in Employee.objects.select_related(
            "user", "buddy__user", "manager__user", "department"
        ).filter(user__email__in=[_email(p) for p in people])
    }
    employees = {p.key: by_email[_email(p)] for p in people if _email(p) in by_email}
    return Cast(people=people, employees=employees, today=today)


def _pulse_scores(person: Person) -> dict[str, int]:
    """Mostly happy, a little less so about tools in housekeeping."""
    scores = {}
    for number in range(1, 5):
        score = 3 + _roll(person.key, "pulse", number, low=0, high=2)
        if _roll(person.key, "dip", number, low=0, high=5) == 0:
            score -= 1
        if person.department == "Pisos" and number == 3:
            score -= 1
        scores[str(number)] = max(1, min(5, score))
    scores["enps"] = [10, 9, 8, 9, 7, 10, 6, 9, 8, 10, 5, 9][
        _roll(person.key, "enps", low=0, high=11)
    ]
    return scores


def _welcome_plan(
    cast: Cast, person: Person, modules: dict[str, ModulePage]
) -> Plan | None:
    employee = cast.employees.get(person.key)
    if employee is None or employee.start_date is None:
        return None
    today, start = cast.today, employee.start_date
    launch = today - timedelta(days=WELCOME_LAUNCH_DAYS)
    done_keys = WELCOME_DONE.get(person.key, WELCOME_ORDER)
    steps = []
    firsts = []
    for position, key in enumerate(WELCOME_ORDER):
        if key not in done_keys:
            continue
        module = modules[key]
        release = module_release_date(start_date=start, module=module)
        # People on the staff before the path existed caught up in its first weeks.
        catch_up = launch + timedelta(
            days=2 * position + _roll(person.key, "catch-up", low=0, high=10)
        )
        lag_days = min(3, module.due_days - 1)
        if key in {REFLECTION, PULSE, REFRESHER}:
            lag_days = 5
        day = max(release, catch_up) + timedelta(
            days=_roll(person.key, key, low=0, high=lag_days)
        )
        day = min(day, today - timedelta(days=1))
        if day < release:
            continue  # not released yet: the plan asks too much of this person
        at = _at(day, person.key, key)
        firsts.append(at)
        if key == REFRESHER:
            # Taken again about every quarter since, a few days after it was due.
            cycle = 0
            while True:
                cycle += 1
                later = day + timedelta(
                    days=module.recurrence_days
                    + _roll(person.key, key, cycle, low=1, high=12)
                )
                if later >= today:
                    break
                day = later
                at = _at(day, person.key, key, cycle)
        step = Step(module=key, done=at)
        if module.task_for == ModulePage.TaskFor.MANAGER:
            step.by = cast.user(person.manager)
        elif module.task_for == ModulePage.TaskFor.BUDDY:
            step.by = cast.buddy(person)
        if module.has_check:
            if _roll(person.key, key, "failed", low=0, high=3) == 0:
                step.attempts.append((at - timedelta(minutes=20), 1))
            step.attempts.append((at, 3 if _roll(person.key, low=0, high=1) else 2))
        if module.reflection_prompt:
            step.shared = person.key in SHARED_REFLECTIONS or (
                person.key not in WELCOME_DONE
                and _roll(person.key, "share", low=0, high=2) == 0
            )
        if module.has_pulse:
            step.scores = _pulse_scores(person)
        steps.append(step)
    required = [m for m in WELCOME_ORDER if modules[m].required]
    complete = all(key in done_keys for key in required) and len(firsts) == len(
        done_keys
    )
    return Plan(
        employee=employee,
        path=WELCOME_SLUG,
        enrolled=_at(max(start - timedelta(days=21), launch), person.key, "enrolled"),
        steps=steps,
        completed=max(firsts) if complete and firsts else None,
    )


def _brand_plans(cast: Cast) -> list[Plan]:
    today = cast.today
    hr = cast.user(HR_DIRECTOR)

    def day(days_ago: int) -> date:
        return today - timedelta(days=days_ago)

    plans = []
    for key, days_ago in CERTIFIED_DAYS_AGO.items():
        employee = cast.employees.get(key)
        if employee is None:
            continue
        issued = _at(day(days_ago), key, "certified")
        check = [(issued - timedelta(minutes=4), 5 if days_ago % 2 else 4)]
        if key in FAILED_FIRST:
            check.insert(0, (issued - timedelta(days=3), 3))
        voice = _at(day(days_ago + 14), key, VOICE)
        if key in RENEWED_VOICE_DAYS_AGO:
            voice = _at(day(RENEWED_VOICE_DAYS_AGO[key]), key, VOICE, "again")
        plans.append(
            Plan(
                employee=employee,
                path=BRAND_SLUG,
                enrolled=_at(
                    day(min(days_ago + 20, BRAND_LAUNCH_DAYS)), key, "enrolled"
                ),
                steps=[
                    Step(VOICE, voice),
                    Step(POLICY, _at(day(days_ago + 13), key, POLICY)),
                    Step(CHECK, issued, attempts=check),
                ],
                completed=issued,
                certified=issued,
                manual_by=hr,
            )
        )
    # Working towards it.
    in_progress = {
        # Emma, content creator: failed her first go at the check, two left.
        "staff25": (
            12,
            [
                Step(VOICE, _at(day(10), "staff25", VOICE)),
                Step(POLICY, _at(day(10), "staff25", POLICY)),
                Step(CHECK, None, attempts=[(_at(day(9), "staff25", CHECK), 3)]),
            ],
        ),
        # Irene, receptionist: has read the brand voice; the policy is next.
        "staff04": (5, [Step(VOICE, _at(day(4), "staff04", VOICE))]),
        # James, sommelier: two failed attempts, one left, the check overdue.
        "staff14": (
            30,
            [
                Step(VOICE, _at(day(28), "staff14", VOICE)),
                Step(POLICY, _at(day(28), "staff14", POLICY)),
                Step(
                    CHECK,
                    None,
                    attempts=[
                        (_at(day(27), "staff14", CHECK, 1), 2),
                        (_at(day(20), "staff14", CHECK, 2), 3),
                    ],
                ),
            ],
        ),
    }
    for key, (enrolled_days_ago, steps) in in_progress.items():
        employee = cast.employees.get(key)
        if employee is None:
            continue
        plans.append(
            Plan(
                employee=employee,
                path=BRAND_SLUG,
                enrolled=_at(day(enrolled_days_ago), key, "enrolled"),
                steps=steps,
                manual_by=hr,
            )
        )
    return plans


# --- writing the plans -----------------------------------------------------------


def _layout(module: ModulePage, seed: object) -> list[list]:
    """A shuffled order of questions and answers, the same for the same seed."""
    layout = []
    for question in module.questions:
        option_ids = [child.id for child in question.value["options"].bound_blocks]
        option_ids.sort(key=lambda oid: _roll(seed, oid, low=0, high=9999))
        layout.append([question.id, option_ids])
    if module.shuffle:
        layout.sort(key=lambda item: _roll(seed, item[0], low=0, high=9999))
    return layout


def _answers(module: ModulePage, layout: list[list], right: int) -> dict[str, list]:
    """Right answers to the first ``right`` questions shown, a wrong one after."""
    options = {
        question.id: {
            child.id: child.value["correct"]
            for child in question.value["options"].bound_blocks
        }
        for question in module.questions
    }
    answers = {}
    for position, (question_id, option_ids) in enumerate(layout):
        correct = [oid for oid in option_ids if options[question_id][oid]]
        wrong = [oid for oid in option_ids if not options[question_id][oid]]
        answers[question_id] = correct if position < right else wrong[:1]
    return answers


def _attempts_write(
    *, enrolment: Enrolment, module: ModulePage, attempts: list[tuple[datetime, int]]
) -> None:
    total = len(module.questions)
    for number, (at, right) in enumerate(attempts, start=1):
        layout = _layout(module, f"{enrolment.pk}/{number}")
        score = round(100 * right / total) if total else 100
        attempt, _created = CheckAttempt.objects.update_or_create(
            enrolment=enrolment,
            module=module,
            number=number,
            defaults={
                "layout": layout,
                "answers": _answers(module, layout, right),
                "score": score,
                "passed": score >= module.pass_mark,
                "submitted_at": at,
            },
        )
        CheckAttempt.objects.filter(pk=attempt.pk).update(
            started_at=at - timedelta(minutes=6)
        )


def _step_write(
    *,
    enrolment: Enrolment,
    step: Step,
    module: ModulePage,
    display: ModulePage,
    person_language: str,
) -> None:
    moments = [at for at, _right in step.attempts]
    if step.done is not None:
        moments.append(step.done)
    started = min(moments) - timedelta(minutes=module.estimated_minutes)
    if step.done is None:
        # Started only: never undo what the person has done since.
        progress, created = ModuleProgress.objects.get_or_create(
            enrolment=enrolment, module=module, defaults={"started_at": started}
        )
        if not created and progress.completed_at is None:
            ModuleProgress.objects.filter(pk=progress.pk).update(started_at=started)
    else:
        ModuleProgress.objects.update_or_create(
            enrolment=enrolment,
            module=module,
            defaults={
                "started_at": started,
                "completed_at": step.done,
                "completed_by": step.by,
                "reopened_at": None,
                "due_override": None,
            },
        )
    if step.attempts:
        _attempts_write(enrolment=enrolment, module=module, attempts=step.attempts)
    if step.done is None:
        return
    if module.policies:
        acknowledged = step.done - timedelta(minutes=1)
        ack = Acknowledgement.objects.filter(enrolment=enrolment, module=module).last()
        if ack is None:
            ack = Acknowledgement.objects.create(enrolment=enrolment, module=module)
        Acknowledgement.objects.filter(pk=ack.pk).update(
            acknowledged_at=acknowledged, revision_id=display.live_revision_id
        )
    if module.reflection_prompt:
        texts = REFLECTIONS[person_language]
        text = texts[_roll(enrolment.employee_id, low=0, high=len(texts) - 1)]
        reflection, _created = Reflection.objects.update_or_create(
            enrolment=enrolment,
            module=module,
            defaults={"text": text, "shared": step.shared},
        )
        Reflection.objects.filter(pk=reflection.pk).update(updated_at=step.done)
    if module.has_pulse:
        submission, created = PulseSubmission.objects.get_or_create(
            enrolment=enrolment, module=module
        )
        if created:  # the answers carry no link to the person: written once
            ids = [block.id for block in module.pulse_questions]
            scores = {
                block_id: step.scores.get(str(number), 4)
                for number, block_id in enumerate(ids, start=1)
            }
            if module.pulse_enps:
                scores["enps"] = step.scores.get("enps", 8)
            PulseResponse.objects.create(
                module=module,
                path=enrolment.path,
                department_id=enrolment.employee.department_id,
                month=pulse_month(at=step.done),
                scores=scores,
            )
        PulseSubmission.objects.filter(pk=submission.pk).update(submitted_at=step.done)


def _plan_write(
    plan: Plan, *, paths: dict[str, Pages], modules: dict[str, dict[str, Pages]]
) -> None:
    path = paths[plan.path]["es"]
    employee = plan.employee
    enrolment = Enrolment.objects.filter(employee=employee, path=path).first()
    if enrolment is None:
        enrolment, _created = enrolment_create(
            employee=employee,
            path=path,
            source=(
                Enrolment.Source.MANUAL
                if plan.manual_by
                else Enrolment.Source.AUTOMATIC
            ),
            reason=BRAND_REASON if plan.manual_by else "",
            enrolled_by=plan.manual_by,
        )
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=plan.enrolled)
    language = "en" if employee.preferred_language == "en" else "es"
    for step in plan.steps:
        pages = modules[plan.path][step.module]
        _step_write(
            enrolment=enrolment,
            step=step,
            module=pages["es"],
            display=pages[language],
            person_language=language,
        )
    if plan.completed:
        Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=plan.completed)
    if plan.certified:
        valid_days = path.certification_valid_days
        certificate = (
            enrolment.certificates.filter(advocate=True).order_by("issued_at").first()
        )
        if certificate is None:
            certificate = Certificate(enrolment=enrolment, advocate=True)
        certificate.issued_at = plan.certified
        certificate.expires_at = plan.certified + timedelta(days=valid_days)
        certificate.save()


@transaction.atomic
def onboarding_demo_seed(*, today: date | None = None) -> None:
    """Publish the demo paths in Spanish and English and put the demo
    organisation's people at their stages; safe to repeat."""
    today = today or timezone.localdate()
    identity_site_ensure()
    es = Locale.get_default()
    en = Locale.objects.get(language_code="en")
    values = _values_ensure(es=es, en=en)
    site = Site.objects.select_related("root_page").get(is_default_site=True)
    home_es = site.root_page.specific
    home = {"es": home_es, "en": home_es.get_translation(en).specific}

    index = _page_ensure(
        parents=home,
        model=PathIndexPage,
        key="index",
        slug=INDEX_SLUG,
        content=_index_content(),
        any_child=True,
    )
    culture = _culture_pages()
    welcome, welcome_modules = _path_ensure(
        index=index,
        slug=WELCOME_SLUG,
        content=_welcome_content(),
        modules=_welcome_modules(values, culture),
    )
    brand, brand_modules = _path_ensure(
        index=index,
        slug=BRAND_SLUG,
        content=_brand_content(),
        modules=_brand_modules(culture),
    )
    paths = {WELCOME_SLUG: welcome, BRAND_SLUG: brand}
    modules = {WELCOME_SLUG: welcome_modules, BRAND_SLUG: brand_modules}

    # Enrolment normally follows a profile save; these people were saved before
    # the paths existed.
    for employee in Employee.objects.exclude(status=Employee.Status.LEFT):
        enrolment_sync(employee=employee)

    cast = _cast(today)
    welcome_pages = {key: pages["es"] for key, pages in welcome_modules.items()}
    plans = [
        plan
        for person in cast.people
        if (plan := _welcome_plan(cast, person, welcome_pages)) is not None
    ]
    plans += _brand_plans(cast)
    for plan in plans:
        _plan_write(plan, paths=paths, modules=modules)
    _seasonal_pulse_write(today=today, path=welcome["es"], module=welcome_pages[PULSE])


# Staff hired for the high season answered the 30-day survey and have since
# left. Their answers carry no one, and they are what lets the demo publish a
# month of pulse figures: figures need five answers to a survey in one
# department and one month (``insights.pulse``), more than a group of thirty
# people hires in a month.
SEASONAL_PULSE = {"Pisos": 6, "Alimentos y Bebidas": 5}
SEASONAL_MONTHS_AGO = 4


def _seasonal_pulse_write(*, today: date, path: PathPage, module: ModulePage) -> None:
    month = pulse_month(at=_at(today, "seasonal"))
    for _ in range(SEASONAL_MONTHS_AGO):
        month = (month - timedelta(days=1)).replace(day=1)
    ids = [block.id for block in module.pulse_questions]
    for name, count in SEASONAL_PULSE.items():
        department = Department.objects.filter(name=name).first()
        if department is None:
            continue
        for n in range(count):
            scores = {
                block_id: 3 + _roll("seasonal", name, n, number, low=-1, high=2)
                for number, block_id in enumerate(ids, start=1)
            }
            scores["enps"] = [9, 8, 10, 6, 9, 7, 10][
                _roll("seasonal", name, n, "enps", low=0, high=6)
            ]
            PulseResponse.objects.get_or_create(
                id=_key("seasonal-pulse", f"{name}/{n}"),
                defaults={
                    "module": module,
                    "path": path,
                    "department": department,
                    "month": month,
                    "scores": scores,
                },
            )
