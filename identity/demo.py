"""Grupo Brisa's identity: brand, values and "Who we are", in Spanish and English.

Loading it twice changes nothing. Values and pages carry a fixed translation key
(derived from a name that never changes), so the seed still recognises them after
an editor renames a value or retitles a page; what already exists is left as the
editors left it, and only what is missing is created. English versions are real
translations, not aliases: an English reader sees English at the same address.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.models import Locale, Page, Site

from people.demo import DOMAIN
from people.models import Employee

from .models import BrandSettings, CultureIndexPage, CulturePage, FeaturedLink, Value
from .setup import identity_site_ensure

COMPANY_NAME = "Grupo Brisa"
PRIMARY_COLOUR = "#0f5e63"  # dark teal, 7.5:1 on white
HASHTAG = "#EmpleadoDeBrisa"
UTM_SOURCE = "brisa-embajadores"
CEO_EMAIL = f"lucia.ferrer@{DOMAIN}"
HR_DIRECTOR_EMAIL = f"marta.quintana@{DOMAIN}"

INDEX_SLUG = "quienes-somos"
MISSION_SLUG = "mision-y-vision"
HISTORY_SLUG = "nuestra-historia"
VOICE_SLUG = "voz-de-marca"
SOCIAL_SLUG = "politica-de-redes-sociales"
HOW_WE_WORK_SLUG = "como-trabajamos"

_KEY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, f"demo.{DOMAIN}")

Block = tuple[str, Any]
Content = dict[str, dict[str, Any]]  # language code → field values


def _translation_key(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(_KEY_NAMESPACE, f"{kind}:{key}")


# --- values -----------------------------------------------------------------


@dataclass(frozen=True)
class ValueText:
    name: str
    statement: str
    description: str


VALUES: list[tuple[str, dict[str, ValueText]]] = [
    (
        "hospitality",
        {
            "es": ValueText(
                "Hospitalidad de verdad",
                "Tratamos a cada huésped como nos gustaría que nos trataran en casa.",
                "<p>Saludamos por el nombre, escuchamos antes de responder y "
                "resolvemos sin pasar la pelota. La hospitalidad no es un protocolo: "
                "es una actitud que se nota en recepción, en la sala y en el "
                "pasillo.</p>",
            ),
            "en": ValueText(
                "Genuine hospitality",
                "We treat every guest the way we would like to be treated at home.",
                "<p>We greet people by name, listen before we answer and solve "
                "problems instead of passing them on. Hospitality isn't a script: "
                "it's an attitude you notice at the front desk, in the restaurant "
                "and in the corridor.</p>",
            ),
        },
    ),
    (
        "details",
        {
            "es": ValueText(
                "Cuidamos el detalle",
                "Lo pequeño es lo que el huésped recuerda.",
                "<p>Una almohada extra antes de que la pidan, una mesa reservada a "
                "su nombre, una avería avisada a tiempo. Revisamos dos veces y "
                "avisamos cuando algo no está bien.</p>",
            ),
            "en": ValueText(
                "We care about the details",
                "The little things are what guests remember.",
                "<p>An extra pillow before anyone asks, a table booked in their name, "
                "a fault reported in time. We check twice and speak up when "
                "something isn't right.</p>",
            ),
        },
    ),
    (
        "one-team",
        {
            "es": ValueText(
                "Un solo equipo",
                "Recepción, cocina, sala y pisos sacan adelante cada estancia juntos.",
                "<p>Compartimos la información en cada cambio de turno, pedimos "
                "ayuda sin miedo y celebramos los logros de otros departamentos como "
                "propios.</p>",
            ),
            "en": ValueText(
                "One team",
                "Front desk, kitchen, restaurant and housekeeping make every stay "
                "work together.",
                "<p>We share information at every shift handover, ask for help "
                "without fear and celebrate other departments' wins as our own.</p>",
            ),
        },
    ),
    (
        "surroundings",
        {
            "es": ValueText(
                "Respeto por nuestro entorno",
                "Cuidamos el barrio, la ciudad y el planeta en los que trabajamos.",
                "<p>Ahorramos agua y energía, reducimos el plástico de un solo uso y "
                "compramos a proveedores locales siempre que podemos. También "
                "respetamos a nuestros vecinos: el hotel es parte del barrio.</p>",
            ),
            "en": ValueText(
                "Respect for our surroundings",
                "We look after the neighbourhood, the city and the planet we work in.",
                "<p>We save water and energy, cut single-use plastic and buy from "
                "local suppliers whenever we can. We respect our neighbours too: the "
                "hotel is part of the neighbourhood.</p>",
            ),
        },
    ),
    (
        "learning",
        {
            "es": ValueText(
                "Aprender cada día",
                "Preguntamos, probamos y compartimos lo que aprendemos.",
                "<p>Nadie nace sabiendo. Cada persona tiene un compañero de acogida, "
                "formación continua y derecho a equivocarse mientras aprende.</p>",
            ),
            "en": ValueText(
                "Learning every day",
                "We ask, we try things and we share what we learn.",
                "<p>Nobody is born knowing it all. Everyone has a buddy, ongoing "
                "training and the right to make mistakes while they learn.</p>",
            ),
        },
    ),
]


def _values_ensure(*, es: Locale, en: Locale) -> dict[str, dict[str, Value]]:
    """Return language → value key → Value, creating what is missing."""
    found: dict[str, dict[str, Value]] = {"es": {}, "en": {}}
    for position, (key, texts) in enumerate(VALUES, start=1):
        translation_key = _translation_key("value", key)
        source = (
            Value.objects.filter(translation_key=translation_key, locale=es).first()
            or Value.objects.filter(locale=es, name=texts["es"].name).first()
        )
        if source is None:
            source = Value(
                translation_key=translation_key,
                locale=es,
                sort_order=position * 10,
                **asdict(texts["es"]),
            )
            source.save()
            source.save_revision()
        translated = source.get_translation_or_none(en)
        if translated is None:
            translated = source.copy_for_translation(en)
            for field, text in asdict(texts["en"]).items():
                setattr(translated, field, text)
            translated.save()
            translated.save_revision()
        found["es"][key] = source
        found["en"][key] = translated
    return found


# --- block helpers -------------------------------------------------------------


def _heading(text: str, level: str = "h2") -> Block:
    return ("heading", {"text": text, "level": level})


def _text(html: str) -> Block:
    return ("rich_text", html)


def _callout(tone: str, title: str, html: str) -> Block:
    return ("callout", {"tone": tone, "title": title, "text": html})


def _quote(quote: str, attribution: str) -> Block:
    return ("quote", {"quote": quote, "attribution": attribution})


def _value_card(value: Value, note: str = "") -> Block:
    return ("value_card", {"value": value, "note": note})


def _event(day: date, title: str, text: str) -> dict[str, Any]:
    return {"date": day, "title": title, "text": text}


def _pair(do: str, dont: str) -> dict[str, str]:
    return {"do": do, "dont": dont}


def _person(employee: Employee | None, name: str, role: str, bio: str) -> dict:
    """A people card: the profile when the person exists, else the free text.

    With a profile the card follows its name (and, when ``role`` is empty, its job
    title), so a promotion or a new surname never leaves the page out of date.
    """
    if employee is not None:
        name = ""
    return {"employee": employee, "name": name, "role": role, "bio": bio}


# --- page content --------------------------------------------------------------


def _index_content() -> Content:
    return {
        "es": {
            "title": "Quiénes somos",
            "intro": "<p>Lo que somos, de dónde venimos y cómo trabajamos en Grupo "
            "Brisa. Empieza por aquí.</p>",
        },
        "en": {
            "title": "Who we are",
            "intro": "<p>Who we are, where we come from and how we work at Grupo "
            "Brisa. Start here.</p>",
        },
    }


def _mission_content(values: dict[str, dict[str, Value]]) -> Content:
    return {
        "es": {
            "title": "Misión y visión",
            "summary": "Por qué existe Grupo Brisa, hacia dónde vamos y los cinco "
            "valores que guían cada decisión.",
            "body": [
                _heading("Nuestra misión"),
                _text(
                    "<p>Que cada persona que se aloja en un hotel Brisa se sienta "
                    "<b>bienvenida, cuidada y con ganas de volver</b>, gracias a un "
                    "servicio cercano que nace de equipos que disfrutan de su "
                    "trabajo.</p>"
                ),
                _heading("Nuestra visión"),
                _text(
                    "<p>Ser en 2030 el grupo hotelero independiente de referencia en "
                    "España por la calidad de su acogida, a huéspedes y a "
                    "empleados, y por su compromiso con las ciudades en las que "
                    "vive.</p>"
                ),
                _heading("Nuestros valores"),
                *(_value_card(value) for value in values["es"].values()),
                _quote(
                    "La hospitalidad empieza por casa: si cuidamos a nuestra gente, "
                    "nuestra gente cuidará de cada huésped.",
                    "Lucía Ferrer, directora general",
                ),
            ],
        },
        "en": {
            "title": "Mission and vision",
            "summary": "Why Grupo Brisa exists, where we are heading and the five "
            "values behind every decision.",
            "body": [
                _heading("Our mission"),
                _text(
                    "<p>To make everyone who stays at a Brisa hotel feel "
                    "<b>welcome, looked after and keen to come back</b>, thanks to "
                    "warm service from teams who enjoy their work.</p>"
                ),
                _heading("Our vision"),
                _text(
                    "<p>By 2030, to be Spain's benchmark independent hotel group for "
                    "the quality of its welcome, to guests and to staff alike, and "
                    "for its commitment to the cities it is part of.</p>"
                ),
                _heading("Our values"),
                *(_value_card(value) for value in values["en"].values()),
                _quote(
                    "Hospitality begins at home: if we look after our people, our "
                    "people will look after every guest.",
                    "Lucía Ferrer, Chief Executive Officer",
                ),
            ],
        },
    }


def _history_content() -> Content:
    return {
        "es": {
            "title": "Nuestra historia",
            "summary": "De un hotel de 24 habitaciones en Madrid, en 1987, al grupo "
            "que somos hoy.",
            "body": [
                _text(
                    "<p>Grupo Brisa nació como un negocio familiar y ha crecido sin "
                    "perder su manera de recibir. Estos son algunos de los momentos "
                    "que nos han traído hasta aquí.</p>"
                ),
                (
                    "timeline",
                    {
                        "title": "De 1987 a hoy",
                        "events": [
                            _event(
                                date(1987, 5, 4),
                                "Abre el Hotel Brisa Madrid",
                                "Ramón Ferrer abre un hotel de 24 habitaciones en el "
                                "barrio de las Letras, con su familia en recepción.",
                            ),
                            _event(
                                date(1999, 3, 15),
                                "Llegamos a Sevilla",
                                "Abre el Hotel Brisa Sevilla en un antiguo palacete "
                                "junto a la Alameda de Hércules.",
                            ),
                            _event(
                                date(2008, 10, 1),
                                "Gran reforma en Madrid",
                                "Renovamos todas las habitaciones y abrimos el "
                                "restaurante La Brisa, con cocina de mercado.",
                            ),
                            _event(
                                date(2016, 1, 11),
                                "Lucía Ferrer, directora general",
                                "La segunda generación toma el relevo y crea el "
                                "departamento de Personas y Marca.",
                            ),
                            _event(
                                date(2021, 6, 1),
                                "Sevilla se renueva",
                                "Aprovechamos el cierre de la pandemia para reformar "
                                "el hotel de Sevilla y reabrimos con todo el equipo.",
                            ),
                            _event(
                                date(2023, 11, 20),
                                "Certificado de turismo sostenible",
                                "Los dos hoteles se certifican por su gestión del "
                                "agua, la energía y los residuos.",
                            ),
                            _event(
                                date(2025, 2, 3),
                                "Nace Cimientos",
                                "Estrenamos nuestra plataforma de acogida y "
                                "embajadores: primero la cultura, después las redes.",
                            ),
                        ],
                    },
                ),
            ],
        },
        "en": {
            "title": "Our history",
            "summary": "From a 24-room hotel in Madrid in 1987 to the group we are "
            "today.",
            "body": [
                _text(
                    "<p>Grupo Brisa began as a family business and has grown without "
                    "losing its way of welcoming people. These are some of the "
                    "moments that brought us here.</p>"
                ),
                (
                    "timeline",
                    {
                        "title": "From 1987 to today",
                        "events": [
                            _event(
                                date(1987, 5, 4),
                                "Hotel Brisa Madrid opens",
                                "Ramón Ferrer opens a 24-room hotel in Madrid's "
                                "Barrio de las Letras, with his family on the front "
                                "desk.",
                            ),
                            _event(
                                date(1999, 3, 15),
                                "We arrive in Seville",
                                "Hotel Brisa Sevilla opens in a former mansion next "
                                "to the Alameda de Hércules.",
                            ),
                            _event(
                                date(2008, 10, 1),
                                "Major refurbishment in Madrid",
                                "Every room is renovated and La Brisa restaurant "
                                "opens, cooking with fresh market produce.",
                            ),
                            _event(
                                date(2016, 1, 11),
                                "Lucía Ferrer becomes CEO",
                                "The second generation takes over and creates the "
                                "People and Brand department.",
                            ),
                            _event(
                                date(2021, 6, 1),
                                "Seville is renewed",
                                "We use the pandemic closure to refurbish the "
                                "Seville hotel and reopen with the whole team.",
                            ),
                            _event(
                                date(2023, 11, 20),
                                "Sustainable tourism certificate",
                                "Both hotels are certified for how they manage "
                                "water, energy and waste.",
                            ),
                            _event(
                                date(2025, 2, 3),
                                "Cimientos is born",
                                "We launch our onboarding and advocacy platform: "
                                "culture first, social networks second.",
                            ),
                        ],
                    },
                ),
            ],
        },
    }


def _voice_content() -> Content:
    return {
        "es": {
            "title": "Nuestra voz de marca",
            "summary": "Cómo hablamos con los huéspedes y en redes sociales: "
            "cercanos, claros y siempre respetuosos.",
            "body": [
                _text(
                    "<p>Hablamos como un buen anfitrión: <b>cercanos sin ser "
                    "confianzudos, claros sin ser secos</b>. En redes sociales "
                    "tuteamos; en persona, seguimos el ejemplo del huésped.</p>"
                ),
                (
                    "brand_voice",
                    {
                        "title": "Con los huéspedes",
                        "pairs": [
                            _pair(
                                "Bienvenida, señora García. Su habitación estará "
                                "lista a las dos; ¿le guardamos el equipaje mientras "
                                "tanto?",
                                "El check-in es a las 14:00. Vuelva más tarde.",
                            ),
                            _pair(
                                "Lo siento, ha sido un error nuestro. Lo arreglamos "
                                "ahora mismo.",
                                "Eso no es cosa de recepción.",
                            ),
                            _pair(
                                "Le recomiendo la terraza al atardecer: es mi rincón "
                                "favorito del hotel.",
                                "Consulte la información del folleto de la habitación.",
                            ),
                        ],
                    },
                ),
                (
                    "brand_voice",
                    {
                        "title": "En redes sociales",
                        "pairs": [
                            _pair(
                                "¡Qué alegría que volvierais! Gracias por contarlo; "
                                "se lo pasamos al equipo de sala.",
                                "Gracias por su comentario. Su opinión es muy "
                                "importante para nosotros.",
                            ),
                            _pair(
                                "Sentimos lo del ruido. Escríbenos por mensaje "
                                "privado con tu número de reserva y lo vemos.",
                                "La habitación 214 tuvo un problema con los huéspedes "
                                "de la 216.",
                            ),
                            _pair(
                                "Hoy nuestra cocina estrena menú de temporada, con "
                                "producto de la sierra.",
                                "¡¡¡EL MEJOR HOTEL DE MADRID!!! ¡¡RESERVA YA!!",
                            ),
                        ],
                    },
                ),
                _callout(
                    "tip",
                    "Cuando hablas como empleado",
                    f"<p>Si publicas sobre Brisa en tus redes, di que trabajas aquí: "
                    f"añade siempre <b>{HASHTAG}</b>. Es la forma honesta de hablar "
                    f"de tu empresa.</p>",
                ),
            ],
        },
        "en": {
            "title": "Our brand voice",
            "summary": "How we talk to guests and on social networks: warm, clear "
            "and always respectful.",
            "body": [
                _text(
                    "<p>We speak like a good host: <b>warm without being "
                    "overfamiliar, clear without being curt</b>. On social networks "
                    "we are informal; face to face, we follow the guest's lead.</p>"
                ),
                (
                    "brand_voice",
                    {
                        "title": "With guests",
                        "pairs": [
                            _pair(
                                "Welcome, Mrs García. Your room will be ready at two; "
                                "shall we look after your luggage in the meantime?",
                                "Check-in is at 14:00. Come back later.",
                            ),
                            _pair(
                                "I'm sorry, that was our mistake. We'll sort it out "
                                "right away.",
                                "That's not a front desk matter.",
                            ),
                            _pair(
                                "I'd recommend the terrace at sunset: it's my "
                                "favourite spot in the hotel.",
                                "Please refer to the leaflet in your room.",
                            ),
                        ],
                    },
                ),
                (
                    "brand_voice",
                    {
                        "title": "On social networks",
                        "pairs": [
                            _pair(
                                "So glad you came back! Thanks for sharing; we'll "
                                "pass it on to the restaurant team.",
                                "Thank you for your comment. Your opinion is very "
                                "important to us.",
                            ),
                            _pair(
                                "Sorry about the noise. Send us a private message "
                                "with your booking number and we'll look into it.",
                                "Room 214 had a problem with the guests in 216.",
                            ),
                            _pair(
                                "Our kitchen launches its seasonal menu today, with "
                                "produce from the nearby mountains.",
                                "THE BEST HOTEL IN MADRID!!! BOOK NOW!!",
                            ),
                        ],
                    },
                ),
                _callout(
                    "tip",
                    "When you speak as an employee",
                    f"<p>If you post about Brisa on your own networks, say that you "
                    f"work here: always add <b>{HASHTAG}</b>. It's the honest way to "
                    f"talk about your company.</p>",
                ),
            ],
        },
    }


def _social_content() -> Content:
    return {
        "es": {
            "title": "Política de redes sociales",
            "summary": "Qué puedes compartir, cómo identificarte y qué no se publica "
            "nunca. Participar es voluntario.",
            "body": [
                _text(
                    "<p>Nos encanta que hables de tu trabajo. Esta política explica "
                    "cómo hacerlo de forma honesta y segura para ti, para tus "
                    "compañeros y para nuestros huéspedes. Se aplica a cualquier red "
                    "social y a toda publicación en la que se te pueda reconocer como "
                    "parte de Grupo Brisa.</p>"
                ),
                _callout(
                    "important",
                    "Lo esencial",
                    f"<p><b>Con tus propias palabras:</b> cuenta lo que quieras como "
                    f"tú lo contarías, sin copiar y pegar mensajes.</p>"
                    f"<p><b>Siempre con {HASHTAG}</b>, para que se sepa que trabajas "
                    f"aquí.</p>"
                    f"<p><b>Nunca datos de huéspedes:</b> ni nombres, ni fotos, ni "
                    f"números de habitación, ni reservas, ni nada confidencial.</p>"
                    f"<p><b>Es voluntario:</b> nadie está obligado a participar, y no "
                    f"hacerlo no tiene ninguna consecuencia.</p>",
                ),
                _heading("Comparte con tus propias palabras"),
                _text(
                    "<p>Las publicaciones de marca son un punto de partida, no un "
                    "guion. Cuenta por qué te gusta lo que compartes o qué has vivido "
                    "tú. Cien mensajes idénticos parecen propaganda, y las redes los "
                    "muestran menos.</p>"
                ),
                _heading("Identifícate siempre"),
                _text(
                    f"<p>Cuando hables de Grupo Brisa, de sus hoteles o de sus "
                    f"ofertas, incluye <b>{HASHTAG}</b>. Es lo honesto con tus "
                    f"contactos y lo que piden las normas de publicidad de las redes "
                    f"sociales.</p>"
                ),
                _heading("Lo que no se publica nunca"),
                _text(
                    "<ul><li>Datos de huéspedes: nombres, fotos en las que se les "
                    "reconozca, números de habitación, fechas de estancia o "
                    "reservas.</li><li>Información interna: precios no publicados, "
                    "ocupación, resultados o incidencias de seguridad.</li><li>Fotos "
                    "de zonas de trabajo en las que se vean pantallas, documentos o "
                    "llaves.</li><li>Opiniones en nombre de la empresa: hablas en tu "
                    "nombre.</li></ul>"
                ),
                _heading("Participar es voluntario"),
                _text(
                    "<p>Compartir contenido de Brisa es una invitación, nunca una "
                    "obligación. Tu responsable ve datos agregados de su equipo, no "
                    "lo que publicas tú, salvo que decidas mostrarlo. No participar "
                    "no afecta a tu evaluación ni a tus turnos.</p>"
                ),
                _heading("Si algo sale mal"),
                _text(
                    "<p>Si publicas algo por error o recibes un comentario que no "
                    "sabes cómo responder, no discutas ni borres con prisas: escribe "
                    "al equipo de Comunicación y te ayudamos.</p>"
                ),
            ],
        },
        "en": {
            "title": "Social media policy",
            "summary": "What you can share, how to identify yourself and what is "
            "never posted. Taking part is voluntary.",
            "body": [
                _text(
                    "<p>We love it when you talk about your work. This policy "
                    "explains how to do it honestly and safely, for you, your "
                    "colleagues and our guests. It applies to every social network "
                    "and to any post in which you can be recognised as part of Grupo "
                    "Brisa.</p>"
                ),
                _callout(
                    "important",
                    "The essentials",
                    f"<p><b>In your own words:</b> say what you want the way you "
                    f"would say it, without copying and pasting messages.</p>"
                    f"<p><b>Always with {HASHTAG}</b>, so people know you work "
                    f"here.</p>"
                    f"<p><b>Never guest data:</b> no names, photos, room numbers, "
                    f"bookings or anything confidential.</p>"
                    f"<p><b>It's voluntary:</b> nobody has to take part, and not "
                    f"taking part has no consequences at all.</p>",
                ),
                _heading("Share in your own words"),
                _text(
                    "<p>Brand posts are a starting point, not a script. Say why you "
                    "like what you share, or what you experienced yourself. A hundred "
                    "identical messages look like propaganda, and networks show them "
                    "less.</p>"
                ),
                _heading("Always say who you are"),
                _text(
                    f"<p>Whenever you talk about Grupo Brisa, its hotels or its "
                    f"offers, include <b>{HASHTAG}</b>. It's honest with your "
                    f"contacts and it's what social networks' advertising rules "
                    f"ask for.</p>"
                ),
                _heading("What is never posted"),
                _text(
                    "<ul><li>Guest data: names, photos in which they can be "
                    "recognised, room numbers, dates of stay or bookings.</li>"
                    "<li>Internal information: unpublished prices, occupancy, "
                    "results or security incidents.</li><li>Photos of work areas "
                    "showing screens, documents or keys.</li><li>Opinions on behalf "
                    "of the company: you speak for yourself.</li></ul>"
                ),
                _heading("Taking part is voluntary"),
                _text(
                    "<p>Sharing Brisa content is an invitation, never an obligation. "
                    "Your manager sees totals for the team, not what you post, unless "
                    "you choose to show it. Not taking part has no effect on your "
                    "review or your shifts.</p>"
                ),
                _heading("If something goes wrong"),
                _text(
                    "<p>If you post something by mistake or get a comment you don't "
                    "know how to answer, don't argue or delete in a hurry: write to "
                    "the Communications team and we'll help.</p>"
                ),
            ],
        },
    }


def _how_we_work_content(
    values: dict[str, dict[str, Value]], people: dict[str, Employee | None]
) -> Content:
    ceo, hr = people["ceo"], people["hr"]
    return {
        "es": {
            "title": "Cómo trabajamos",
            "summary": "Turnos, relevos, acogida y las personas a las que puedes "
            "acudir desde el primer día.",
            "body": [
                _text(
                    "<p>En un hotel el trabajo no se detiene, por eso cuidamos mucho "
                    "<b>los relevos</b>: al cambiar de turno, cuenta en persona lo "
                    "que queda pendiente y déjalo anotado en el parte.</p>"
                ),
                _value_card(
                    values["es"]["one-team"],
                    "Al cambiar de turno, nadie se va sin contar lo pendiente.",
                ),
                _heading("Tus primeras semanas"),
                _text(
                    "<p>Cada persona nueva tiene un <b>compañero de acogida</b> de su "
                    "equipo y un itinerario que se va abriendo poco a poco: no tienes "
                    "que aprenderlo todo el primer día. A los 30 días te preguntaremos "
                    "cómo te va, de forma anónima.</p>"
                ),
                (
                    "people_cards",
                    {
                        "title": "Quién te acompaña",
                        "people": [
                            _person(
                                ceo,
                                "Lucía Ferrer",
                                "" if ceo else "Directora general",
                                "Segunda generación de la familia fundadora. Pasa "
                                "una mañana al mes en la recepción de cada hotel: no "
                                "te extrañe encontrártela allí.",
                            ),
                            _person(
                                hr,
                                "Marta Quintana",
                                "" if hr else "Directora de Personas",
                                "Dirige el equipo de Personas. Escríbele o pásate por "
                                "su despacho para cualquier cosa sobre tu contrato, "
                                "tu formación o tu bienestar.",
                            ),
                        ],
                    },
                ),
                _callout(
                    "info",
                    "¿Dudas?",
                    "<p>Tu responsable directo es siempre tu primer contacto. Para "
                    "todo lo demás, escribe al equipo de Personas.</p>",
                ),
            ],
        },
        "en": {
            "title": "How we work",
            "summary": "Shifts, handovers, onboarding and the people you can turn to "
            "from day one.",
            "body": [
                _text(
                    "<p>Work in a hotel never stops, so we take great care over "
                    "<b>handovers</b>: when your shift ends, tell the next person "
                    "what is still pending and note it in the log.</p>"
                ),
                _value_card(
                    values["en"]["one-team"],
                    "At shift change, nobody leaves without passing on what's pending.",
                ),
                _heading("Your first weeks"),
                _text(
                    "<p>Every new person has a <b>buddy</b> from their team and a "
                    "path that opens up gradually: you don't have to learn "
                    "everything on day one. After 30 days we'll ask how it's going, "
                    "anonymously.</p>"
                ),
                (
                    "people_cards",
                    {
                        "title": "Who is there for you",
                        "people": [
                            _person(
                                ceo,
                                "Lucía Ferrer",
                                "Chief Executive Officer",
                                "Second generation of the founding family. She spends "
                                "one morning a month on the front desk of each hotel, "
                                "so don't be surprised to meet her there.",
                            ),
                            _person(
                                hr,
                                "Marta Quintana",
                                "People Director",
                                "Leads the People team. Write to her or drop by her "
                                "office about anything to do with your contract, "
                                "your training or your wellbeing.",
                            ),
                        ],
                    },
                ),
                _callout(
                    "info",
                    "Questions?",
                    "<p>Your line manager is always your first contact. For "
                    "everything else, write to the People team.</p>",
                ),
            ],
        },
    }


def _home_content(pages: dict[str, dict[str, Page]]) -> Content:
    return {
        "es": {
            "hero_text": "<p>Te damos la bienvenida a <b>Grupo Brisa</b>. Aquí "
            "encontrarás quiénes somos, cómo trabajamos y los pasos de tu acogida, "
            "poco a poco y a tu ritmo.</p>",
            "links": [
                (
                    pages[MISSION_SLUG]["es"],
                    "Por qué existimos y los cinco valores que nos guían.",
                ),
                (
                    pages[HISTORY_SLUG]["es"],
                    "De un hotel de 24 habitaciones en Madrid a hoy.",
                ),
                (
                    pages[SOCIAL_SLUG]["es"],
                    "Cómo compartir en redes con tus propias palabras.",
                ),
            ],
        },
        "en": {
            "hero_text": "<p>Welcome to <b>Grupo Brisa</b>. Here you'll find who we "
            "are, how we work and the steps of your onboarding, a little at a time "
            "and at your own pace.</p>",
            "links": [
                (
                    pages[MISSION_SLUG]["en"],
                    "Why we exist and the five values that guide us.",
                ),
                (pages[HISTORY_SLUG]["en"], "From a 24-room hotel in Madrid to today."),
                (
                    pages[SOCIAL_SLUG]["en"],
                    "How to share on social networks in your own words.",
                ),
            ],
        },
    }


# --- pages -------------------------------------------------------------------


def demo_page_ensure(
    *,
    parents: dict[str, Page],
    model: type[Page],
    slug: str,
    content: Content,
    translation_key: uuid.UUID | None = None,
    m2m: dict[str, dict[str, list]] | None = None,
    any_child: bool = False,
) -> dict[str, Page]:
    """Find or create a published Spanish page and its English translation.

    The page is recognised by its translation key (derived from the slug unless
    given), else by its slug under the parent, else, with ``any_child``, as the
    parent's only page of ``model`` (for pages allowed once per parent).
    An English alias (wagtail-localize makes them when an editor adds a Spanish
    page while the English tree is synchronised) is converted into a real page
    and given its English content; a real translation is left alone.
    ``m2m`` holds many-to-many values per language, set beside ``content``.
    """
    m2m = m2m or {"es": {}, "en": {}}
    es_parent, en_parent = parents["es"], parents["en"]
    translation_key = translation_key or _translation_key("page", slug)
    siblings = model.objects.child_of(es_parent)
    source = (
        model.objects.filter(
            translation_key=translation_key, locale=es_parent.locale
        ).first()
        or siblings.filter(slug=slug).first()
        or (siblings.first() if any_child else None)
    )
    if source is None:
        page = model(
            translation_key=translation_key,
            locale=es_parent.locale,
            slug=slug,
            **content["es"],
        )
        for name, related in m2m["es"].items():
            setattr(page, name, related)
        source = es_parent.add_child(instance=page)
        source.save_revision(user=None).publish()

    translated = source.get_translation_or_none(en_parent.locale)
    if translated is not None and not translated.alias_of_id:
        return {"es": source, "en": translated.specific}
    if translated is None:
        translated = source.copy_for_translation(en_parent.locale, copy_parents=False)
    else:
        ConvertAliasPageAction(translated.specific).execute(skip_permission_checks=True)
        translated = model.objects.get(pk=translated.pk)
    for name, value in content["en"].items():
        setattr(translated, name, value)
    for name, related in m2m["en"].items():
        setattr(translated, name, related)
    translated.save_revision(user=None).publish()
    return {"es": source, "en": translated}


def _home_fill(home: Page, *, hero_text: str, links: list[tuple[Page, str]]) -> None:
    """Give an empty home page its welcome and featured links; never overwrite."""
    # Reloaded: publishing writes the tree fields back, and pages were added
    # under this home since it was read (a stale numchild hides its children).
    home = type(home).objects.get(pk=home.pk)
    changed = False
    if not home.hero_text:
        home.hero_text = hero_text
        changed = True
    if not home.featured_links.exists():
        home.featured_links = [
            FeaturedLink(link_page=page, description=description, sort_order=order)
            for order, (page, description) in enumerate(links)
        ]
        changed = True
    if changed:
        home.save_revision(user=None).publish()


def _brand_settings_ensure(site: Site) -> None:
    brand = BrandSettings.for_site(site)
    brand.company_name = COMPANY_NAME
    brand.primary_colour = PRIMARY_COLOUR
    brand.disclosure_hashtag = HASHTAG
    brand.utm_source_default = UTM_SOURCE
    brand.full_clean()
    brand.save()


def _employee(email: str) -> Employee | None:
    return (
        Employee.objects.filter(user__email__iexact=email)
        .select_related("user")
        .first()
    )


@transaction.atomic
def identity_demo_seed() -> None:
    """Publish Grupo Brisa's identity in Spanish and English; safe to repeat."""
    identity_site_ensure()
    es = Locale.get_default()
    en = Locale.objects.get(language_code="en")
    site = Site.objects.select_related("root_page").get(is_default_site=True)
    _brand_settings_ensure(site)
    values = _values_ensure(es=es, en=en)

    home_es = site.root_page.specific
    home = {"es": home_es, "en": home_es.get_translation(en).specific}
    index = demo_page_ensure(
        parents=home,
        model=CultureIndexPage,
        slug=INDEX_SLUG,
        content=_index_content(),
    )
    people = {"ceo": _employee(CEO_EMAIL), "hr": _employee(HR_DIRECTOR_EMAIL)}
    culture_pages = [
        (MISSION_SLUG, _mission_content(values)),
        (HISTORY_SLUG, _history_content()),
        (VOICE_SLUG, _voice_content()),
        (SOCIAL_SLUG, _social_content()),
        (HOW_WE_WORK_SLUG, _how_we_work_content(values, people)),
    ]
    pages = {
        slug: demo_page_ensure(
            parents=index, model=CulturePage, slug=slug, content=content
        )
        for slug, content in culture_pages
    }
    for language, fields in _home_content(pages).items():
        _home_fill(home[language], **fields)
