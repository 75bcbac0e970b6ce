"""Grupo Brisa's advocacy: approved posts, campaigns, advocates and their reach.

Topics, campaigns and posts are found by slug or link before anything is
created, so loading twice changes nothing. The sixty days of shares, clicks
and points are generated once, from a fixed random seed, the first time the
demo posts have no shares; later runs leave that history as it is.

Publishing, badges and campaign progress send hub events as they would live;
the events the seed stored are deleted at the end, so the demo starts with a
clean event log. Badge notifications stay (the advocates see a few).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from wagtail.models import ModelLogEntry, Revision, Site

from identity.models import BrandSettings
from onboarding.models import Certificate
from people.demo import _email, _people
from people.models import Employee

from .clicks import is_preview, visitor_hash
from .models import (
    AdvocacyConsent,
    Badge,
    BadgeAward,
    BrandPost,
    Campaign,
    Click,
    HubEvent,
    MilestonePrompt,
    Network,
    Notification,
    PointsEntry,
    Share,
    Topic,
    TrackedLink,
    caption_budget,
)
from .rewards import (
    CLICK_MILESTONES,
    CLICK_POINTS_CAP,
    CLICKS_BADGE_AT,
    PERSONAL_BADGE_AT,
    POINTS,
    badges_check,
    campaign_progress_publish,
)
from .services import (
    SharingRefused,
    share_key,
    suggestion_create,
    with_disclosure,
)
from .setup import advocacy_workflow_ensure

SEED = 20260101
DAYS = 60
SITE = "https://www.grupobrisa.example"
JOBS = "https://empleo.grupobrisa.example"
DEFAULT_HASHTAG = "#EmpleadoDeBrisa"

TOPICS = [
    # slug, Spanish name, English name
    ("sostenibilidad", "Sostenibilidad", "Sustainability"),
    ("gastronomia", "Gastronomía", "Food and drink"),
    ("nuestra-gente", "Nuestra gente", "Our people"),
    ("empleo", "Empleo", "Careers"),
    ("destinos", "Destinos", "Destinations"),
    ("premios-y-noticias", "Premios y noticias", "Awards and news"),
]


@dataclass(frozen=True)
class CampaignSpec:
    slug: str
    name: str
    description: str
    starts_days_ago: int
    ends_days_ago: int  # negative: ends in the future
    goal: str
    topics: tuple[str, ...]


GREEN_WEEK = "semana-verde"
TALENT = "talento-brisa"
CAMPAIGNS = [
    CampaignSpec(
        slug=GREEN_WEEK,
        name="Semana Verde Brisa",
        description=(
            "Dos semanas para contar cómo cuidamos el agua, la energía y los "
            "residuos en los dos hoteles, con la renovación del certificado de "
            "turismo sostenible."
        ),
        starts_days_ago=47,
        ends_days_ago=33,
        goal=Campaign.Goal.SHARES,
        topics=("sostenibilidad", "premios-y-noticias"),
    ),
    CampaignSpec(
        slug=TALENT,
        name="Talento Brisa: ven a trabajar con nosotros",
        description=(
            "Abrimos plazas en recepción y prácticas en cocina para la temporada "
            "de primavera. Cuantas más personas vean las ofertas, mejor."
        ),
        starts_days_ago=13,
        ends_days_ago=-14,
        goal=Campaign.Goal.CLICKS,
        topics=("empleo", "nuestra-gente"),
    ),
]


@dataclass(frozen=True)
class PostSpec:
    path: str  # under the company site, or a full link
    language: str
    title: str
    commentary: str
    hook: str  # short: X, WhatsApp, and Mastodon when the long text does not fit
    body: str  # long: LinkedIn, Facebook, email
    topics: tuple[str, ...]
    hashtags: str
    days_ago: int
    campaign: str | None = None
    expired_days_ago: int | None = None
    milestone: bool = False

    @property
    def url(self) -> str:
        return self.path if self.path.startswith("https://") else f"{SITE}/{self.path}"


P = PostSpec
POSTS = [
    # --- Spanish ----------------------------------------------------------------
    P(
        "es/noticias/adios-al-plastico-en-las-habitaciones",
        "es",
        "Adiós al plástico de un solo uso en nuestras habitaciones",
        "Desde este mes no queda ni una botella ni un envase de plástico de un "
        "solo uso en las habitaciones de Madrid y Sevilla. Es un cambio que "
        "notan los huéspedes y del que el equipo de pisos está muy orgulloso.",
        "Ni una botella de plástico de un solo uso en nuestras habitaciones: "
        "agua filtrada, dispensadores rellenables y vidrio. Un paso más en "
        "Madrid y Sevilla.",
        "Este mes hemos retirado todas las botellas y envases de plástico de un "
        "solo uso de las habitaciones de nuestros dos hoteles. Ahora hay agua "
        "filtrada en cada planta, dispensadores rellenables en los baños y "
        "botellas de vidrio que lavamos y reutilizamos.\n\nCalculamos que "
        "dejaremos de usar más de 40.000 botellas al año. Gracias al equipo de "
        "pisos, que lo ha hecho posible sin que el huésped eche nada de menos.",
        ("sostenibilidad",),
        "#GrupoBrisa #Sostenibilidad",
        49,
        campaign=GREEN_WEEK,
    ),
    P(
        "es/noticias/renovamos-el-certificado-de-turismo-sostenible",
        "es",
        "Renovamos el certificado de turismo sostenible",
        "La auditoría de este año ha vuelto a certificar a los dos hoteles por su "
        "gestión del agua, la energía y los residuos. Es trabajo de todos los "
        "departamentos, no solo de mantenimiento.",
        "Los dos hoteles Brisa renuevan su certificado de turismo sostenible. "
        "Gracias a cada persona del equipo que cuida el agua, la energía y los "
        "residuos a diario.",
        "La auditoría externa ha renovado el certificado de turismo sostenible "
        "del Hotel Brisa Madrid y del Hotel Brisa Sevilla, que obtuvimos por "
        "primera vez en 2023.\n\nLos auditores destacaron la separación de "
        "residuos en cocina, el control del consumo de agua por planta y la "
        "formación del equipo. Es un logro de todos los departamentos.",
        ("sostenibilidad", "premios-y-noticias"),
        "#GrupoBrisa #TurismoSostenible",
        46,
        campaign=GREEN_WEEK,
    ),
    P(
        "es/noticias/un-30-por-ciento-menos-de-agua-en-sevilla",
        "es",
        "Así hemos ahorrado un 30 % de agua en Sevilla",
        "Un dato concreto y fácil de contar: en un año el Hotel Brisa Sevilla "
        "gasta un 30 % menos de agua por huésped. Explica cómo sin sonar a "
        "anuncio.",
        "En un año, el Hotel Brisa Sevilla gasta un 30 % menos de agua por "
        "huésped. Sin renunciar a nada: sensores, lavandería eficiente y mucho "
        "sentido común.",
        "Hace un año nos propusimos reducir el consumo de agua del Hotel Brisa "
        "Sevilla. Hoy gastamos un 30 % menos por huésped.\n\nLo hemos "
        "conseguido con sensores en las zonas comunes, una lavandería que "
        "reutiliza el agua de aclarado, riego por goteo en el patio y, sobre "
        "todo, con un equipo que avisa en cuanto ve una fuga.",
        ("sostenibilidad",),
        "#GrupoBrisa #Sostenibilidad #Sevilla",
        44,
        campaign=GREEN_WEEK,
    ),
    P(
        "es/noticias/huerto-en-la-azotea-de-madrid",
        "es",
        "Un huerto en la azotea del hotel de Madrid",
        "La azotea del Hotel Brisa Madrid ya da tomates, aromáticas y "
        "pimientos para el restaurante La Brisa. Una historia bonita para "
        "compartir con fotos.",
        "En la azotea del Hotel Brisa Madrid crecen tomates, albahaca y "
        "pimientos que acaban en la carta de La Brisa. Del tejado al plato.",
        "En plena ciudad, en el barrio de las Letras, la azotea del hotel se ha "
        "convertido en un pequeño huerto. Lo cuidan juntos el equipo de "
        "mantenimiento y el de cocina.\n\nEsta temporada ha dado tomates, "
        "pimientos y hierbas aromáticas que usamos en el restaurante La Brisa. "
        "No es mucha cantidad, pero sí mucho cariño.",
        ("sostenibilidad", "gastronomia"),
        "#GrupoBrisa #Madrid #KmCero",
        38,
    ),
    P(
        "es/restaurante/carta-de-otono-en-la-brisa",
        "es",
        "La Brisa estrena carta de otoño con cocina de mercado",
        "La nueva carta del restaurante La Brisa llega con setas, caza y "
        "producto de temporada. Perfecta para quien busca un plan en Madrid.",
        "Setas, castañas, caza y producto de mercado: La Brisa estrena su carta "
        "de otoño en el barrio de las Letras.",
        "Llega el otoño a La Brisa, el restaurante del Hotel Brisa Madrid. La "
        "nueva carta mantiene nuestra cocina de mercado con setas, castañas, "
        "caza y verduras de temporada de productores de la sierra.\n\nAbierto "
        "a huéspedes y a vecinos, de martes a sábado. Reserva en la web del "
        "hotel.",
        ("gastronomia",),
        "#GrupoBrisa #LaBrisa #CocinaDeMercado",
        58,
    ),
    P(
        "es/restaurante/desayunos-brisa",
        "es",
        "Desayunos Brisa: pan de obrador y fruta de temporada",
        "Nuestros desayunos son de lo que más valoran los huéspedes. Este post "
        "explica de dónde viene cada cosa.",
        "Pan de obrador del barrio, aceite de Jaén, zumo recién exprimido y "
        "fruta de temporada. Así empiezan el día nuestros huéspedes.",
        "Los desayunos son uno de los momentos que más recuerdan nuestros "
        "huéspedes. Por eso los cuidamos tanto: pan de un obrador vecino, "
        "aceite de oliva virgen extra de Jaén, zumo exprimido al momento y "
        "fruta de temporada.\n\nY si alguien tiene una alergia o una "
        "intolerancia, el equipo de sala lo sabe antes de que se siente.",
        ("gastronomia",),
        "#GrupoBrisa #Desayunos",
        55,
    ),
    P(
        "es/restaurante/noche-de-vinos-andaluces",
        "es",
        "Noche de vinos andaluces con nuestro sumiller",
        "Una cata en el patio del hotel de Sevilla, abierta a vecinos y "
        "huéspedes. Plazas limitadas: compartirlo pronto ayuda.",
        "Jueves de vinos en el patio del Hotel Brisa Sevilla: finos, "
        "amontillados y blancos de la sierra, presentados por nuestro sumiller.",
        "El próximo jueves abrimos el patio del Hotel Brisa Sevilla para una "
        "noche de vinos andaluces: finos y manzanillas, un amontillado y dos "
        "blancos de la sierra de Cádiz, con tapas de nuestra cocina.\n\nLa "
        "presenta James, nuestro sumiller, en español y en inglés. Plazas "
        "limitadas, abierta a vecinos y huéspedes.",
        ("gastronomia", "destinos"),
        "#GrupoBrisa #Sevilla #VinosDeAndalucía",
        24,
    ),
    P(
        "es/equipo/conoce-a-jorge",
        "es",
        "Conoce a Jorge: cuatro años cuidando el Hotel Brisa Madrid",
        "Una entrevista corta con uno de los técnicos de mantenimiento más "
        "queridos del hotel. Ideal para mostrar quién hay detrás de cada "
        "estancia.",
        "Si en el Hotel Brisa Madrid todo funciona es gracias a gente como "
        "Jorge. Cuatro años, mil arreglos y siempre una sonrisa.",
        "Jorge lleva cuatro años en el equipo de mantenimiento del Hotel Brisa "
        "Madrid. Conoce cada tubería, cada persiana y cada huésped habitual.\n\n"
        "En esta entrevista nos cuenta por qué prefiere el turno de mañana, qué "
        "es lo más raro que ha tenido que arreglar y qué consejo daría a quien "
        "empieza en un hotel.",
        ("nuestra-gente",),
        "#GrupoBrisa #NuestraGente",
        52,
    ),
    P(
        "es/equipo/un-dia-con-el-equipo-de-pisos",
        "es",
        "Un día con el equipo de pisos",
        "Pisos es el equipo que menos se ve y el que más se nota. Este reportaje "
        "enseña su día a día con respeto y con humor.",
        "Nadie ve al equipo de pisos, pero todos notan su trabajo. Pasamos un "
        "día con ellas y ellos, de la primera habitación a la última.",
        "A las siete de la mañana ya están en marcha. Acompañamos durante una "
        "jornada completa al equipo de pisos del Hotel Brisa Madrid: el reparto "
        "de habitaciones, los detalles que revisan dos veces y los trucos que "
        "no enseña ningún manual.\n\nGracias por dejarnos mirar de cerca el "
        "trabajo que hace que cada estancia se sienta como en casa.",
        ("nuestra-gente",),
        "#GrupoBrisa #NuestraGente #Hospitalidad",
        30,
    ),
    P(
        "es/destinos/otono-en-sevilla",
        "es",
        "Otoño en Sevilla: cinco paseos desde la Alameda de Hércules",
        "Recomendaciones del propio equipo del hotel de Sevilla. Contenido útil "
        "para amigos que visitan la ciudad.",
        "Cinco paseos de otoño por Sevilla que recomienda nuestro equipo, todos "
        "saliendo a pie desde la Alameda de Hércules.",
        "El otoño es la mejor época para caminar por Sevilla. Hemos pedido al "
        "equipo del Hotel Brisa Sevilla sus paseos favoritos: del mercado de "
        "Feria al río, los patios de San Lorenzo, Triana al atardecer, el "
        "parque de María Luisa y las azoteas del centro.\n\nTodos empiezan a "
        "menos de cinco minutos del hotel.",
        ("destinos",),
        "#GrupoBrisa #Sevilla #Otoño",
        41,
    ),
    P(
        "es/destinos/ruta-literaria-barrio-de-las-letras",
        "es",
        "Ruta literaria por el barrio de las Letras",
        "Nuestro hotel de Madrid está donde vivieron Cervantes y Lope de Vega. "
        "Esta ruta a pie la diseñó el equipo de conserjería.",
        "Cervantes, Lope de Vega, Quevedo: nuestra ruta literaria a pie por el "
        "barrio de las Letras, diseñada por la conserjería del hotel de Madrid.",
        "El Hotel Brisa Madrid abrió en 1987 en el barrio de las Letras, donde "
        "vivieron y escribieron Cervantes, Lope de Vega y Quevedo.\n\nNuestra "
        "conserjería ha preparado una ruta a pie de hora y media con sus "
        "rincones favoritos, cafés con historia y una librería que no te puedes "
        "perder. Descárgala gratis.",
        ("destinos",),
        "#GrupoBrisa #Madrid #BarrioDeLasLetras",
        19,
    ),
    P(
        "es/noticias/sevilla-entre-los-mejor-valorados",
        "es",
        "El Hotel Brisa Sevilla, entre los mejor valorados por sus huéspedes",
        "Las opiniones de los huéspedes sitúan al hotel de Sevilla entre los "
        "diez mejor valorados de la ciudad. Mérito del equipo.",
        "Las opiniones de nuestros huéspedes sitúan al Hotel Brisa Sevilla "
        "entre los diez mejor valorados de la ciudad. Orgullo de equipo.",
        "Según las opiniones publicadas por los huéspedes este año, el Hotel "
        "Brisa Sevilla está entre los diez hoteles mejor valorados de la "
        "ciudad.\n\nLo que más se repite en los comentarios: la amabilidad de "
        "recepción, los desayunos y el patio. Detrás de cada una de esas "
        "palabras hay personas con nombre y apellidos.",
        ("premios-y-noticias",),
        "#GrupoBrisa #Sevilla",
        8,
    ),
    P(
        f"{JOBS}/ofertas/recepcion-madrid-sevilla",
        "es",
        "Buscamos recepcionistas en Madrid y Sevilla",
        "Abrimos plazas de recepción para la temporada de primavera. Si conoces "
        "a alguien con vocación de servicio, este es el enlace.",
        "¿Te gusta recibir a gente de todo el mundo? Buscamos recepcionistas "
        "para los hoteles Brisa de Madrid y Sevilla. Contrato estable y "
        "formación desde el primer día.",
        "Buscamos recepcionistas para el Hotel Brisa Madrid y el Hotel Brisa "
        "Sevilla. Valoramos inglés y un segundo idioma, pero sobre todo las "
        "ganas de cuidar a cada huésped.\n\nOfrecemos contrato estable, turnos "
        "publicados con un mes de antelación, comida en el hotel y un itinerario "
        "de acogida que empieza antes de tu primer día.",
        ("empleo",),
        "#GrupoBrisa #Empleo #Hostelería",
        12,
        campaign=TALENT,
    ),
    P(
        f"{JOBS}/ofertas/practicas-cocina-2027",
        "es",
        "Prácticas en cocina 2027: abre la convocatoria",
        "Seis plazas de prácticas en las cocinas de Madrid y Sevilla. Muy útil "
        "para compartir con escuelas de hostelería y grupos de antiguos alumnos.",
        "Abrimos seis plazas de prácticas en cocina para 2027 en Madrid y "
        "Sevilla. Cocina de mercado, equipo joven y mucho que aprender.",
        "Si estudias cocina o acabas de terminar, esto te interesa: abrimos "
        "seis plazas de prácticas remuneradas en las cocinas del Hotel Brisa "
        "Madrid y del Hotel Brisa Sevilla.\n\nAprenderás cocina de mercado, "
        "desayunos para cien personas y servicio de restaurante, con un tutor "
        "del equipo. Inscripciones abiertas hasta final de mes.",
        ("empleo", "gastronomia"),
        "#GrupoBrisa #Empleo #Cocina",
        9,
        campaign=TALENT,
    ),
    P(
        "es/equipo/asi-es-la-acogida-en-brisa",
        "es",
        "Formación desde el primer día: así es la acogida en Brisa",
        "Cómo acompañamos a cada persona nueva: itinerario, compañero de "
        "acogida y conversaciones con su responsable. Un buen argumento para "
        "quien duda en presentarse.",
        "En Brisa nadie empieza solo: compañero de acogida, itinerario de "
        "formación y un café con la dirección en el primer mes.",
        "Empezar en un hotel puede abrumar. Por eso cada persona que llega a "
        "Grupo Brisa tiene un compañero de acogida, un itinerario que se va "
        "abriendo semana a semana y conversaciones con su responsable el "
        "primer día, al mes y a los tres meses.\n\nTe lo cuentan quienes "
        "acaban de pasar por ello.",
        ("empleo", "nuestra-gente"),
        "#GrupoBrisa #Empleo #Acogida",
        4,
        campaign=TALENT,
    ),
    # --- English ----------------------------------------------------------------
    P(
        "en/news/goodbye-single-use-plastic",
        "en",
        "We've said goodbye to single-use plastic in every room",
        "Both hotels are now free of single-use plastic in the rooms. A simple, "
        "visible change that international guests notice and appreciate.",
        "Not a single-use plastic bottle left in our rooms: filtered water, "
        "refillable dispensers and glass, in Madrid and Seville.",
        "This month we removed every single-use plastic bottle and container "
        "from the rooms of both our hotels. There is filtered water on every "
        "floor, refillable dispensers in the bathrooms and glass bottles we "
        "wash and reuse.\n\nThat is more than 40,000 bottles a year we no "
        "longer use. Thank you to our housekeeping team for making it happen.",
        ("sostenibilidad",),
        "#GrupoBrisa #Sustainability",
        48,
        campaign=GREEN_WEEK,
    ),
    P(
        "en/news/sustainable-tourism-certificate-renewed",
        "en",
        "Both Brisa hotels recertified for sustainable tourism",
        "The external audit renewed our sustainable tourism certificate. Worth "
        "sharing with travel contacts abroad.",
        "Hotel Brisa Madrid and Hotel Brisa Seville have renewed their "
        "sustainable tourism certificate. Thanks to everyone who looks after "
        "water, energy and waste every day.",
        "An external audit has renewed the sustainable tourism certificate of "
        "Hotel Brisa Madrid and Hotel Brisa Seville, first awarded in 2023.\n\n"
        "The auditors highlighted waste separation in our kitchens, water "
        "metering floor by floor and the training every new colleague "
        "receives. It is an achievement of every department.",
        ("sostenibilidad", "premios-y-noticias"),
        "#GrupoBrisa #SustainableTourism",
        46,
        campaign=GREEN_WEEK,
    ),
    P(
        "en/news/seville-water-use-down-30-percent",
        "en",
        "How our Seville hotel cut water use by 30%",
        "A concrete number with a story behind it: sensors, a smarter laundry "
        "and a team that reports every leak.",
        "In one year Hotel Brisa Seville cut water use per guest by 30%, "
        "without guests missing a thing.",
        "A year ago we set out to reduce water use at Hotel Brisa Seville. "
        "Today we use 30% less per guest.\n\nSensors in the public areas, a "
        "laundry that reuses rinse water, drip irrigation in the courtyard "
        "and, above all, a team that speaks up the moment they spot a leak.",
        ("sostenibilidad",),
        "#GrupoBrisa #Sustainability #Seville",
        43,
        campaign=GREEN_WEEK,
    ),
    P(
        "en/news/rooftop-garden-madrid",
        "en",
        "A rooftop vegetable garden in the heart of Madrid",
        "Tomatoes and herbs from our own roof end up on La Brisa's menu. A "
        "lovely, photogenic story.",
        "On the roof of Hotel Brisa Madrid we grow tomatoes, basil and peppers "
        "for La Brisa's kitchen. From rooftop to plate.",
        "In the middle of Madrid's Literary Quarter, the roof of our hotel has "
        "become a small vegetable garden, looked after by our maintenance and "
        "kitchen teams together.\n\nThis season it gave us tomatoes, peppers "
        "and fresh herbs for the La Brisa restaurant. Not a huge harvest, but "
        "one grown with a lot of care.",
        ("sostenibilidad", "gastronomia"),
        "#GrupoBrisa #Madrid",
        36,
    ),
    P(
        "en/restaurant/autumn-market-menu",
        "en",
        "La Brisa's autumn menu: market cooking at its best",
        "Our Madrid restaurant's new seasonal menu. Good for friends planning a "
        "trip to Madrid.",
        "Wild mushrooms, chestnuts, game and market produce: La Brisa's autumn "
        "menu is here, in Madrid's Literary Quarter.",
        "Autumn has arrived at La Brisa, the restaurant at Hotel Brisa Madrid. "
        "The new menu keeps our market cooking, with wild mushrooms, "
        "chestnuts, game and seasonal vegetables from growers in the nearby "
        "mountains.\n\nOpen to guests and neighbours, Tuesday to Saturday.",
        ("gastronomia",),
        "#GrupoBrisa #Madrid #Foodie",
        57,
    ),
    P(
        "en/restaurant/andalusian-wine-night",
        "en",
        "Andalusian wine night with our sommelier",
        "A tasting in the Seville courtyard, hosted in English and Spanish. "
        "Limited places.",
        "Wine night in the courtyard of Hotel Brisa Seville: finos, "
        "amontillado and mountain whites, hosted by our sommelier James.",
        "Next Thursday we open the courtyard of Hotel Brisa Seville for an "
        "evening of Andalusian wines: fino and manzanilla, an amontillado and "
        "two whites from the Cádiz mountains, with tapas from our kitchen.\n\n"
        "Hosted by James, our sommelier, in English and Spanish. Limited "
        "places, open to neighbours and guests.",
        ("gastronomia", "destinos"),
        "#GrupoBrisa #Seville #Wine",
        23,
    ),
    P(
        "en/team/seville-kitchen-team",
        "en",
        "Meet the kitchen team behind our Seville breakfasts",
        "A short portrait of the Seville kitchen, with a pastry chef from "
        "Italy and a head chef from the Basque Country.",
        "Basque, Andalusian and Italian: meet the kitchen team that bakes, "
        "squeezes and plates every breakfast at Hotel Brisa Seville.",
        "Our Seville kitchen starts before sunrise. Led by a head chef from "
        "the Basque Country, with a pastry chef from Italy and cooks from "
        "across Andalusia, the team prepares breakfast for over a hundred "
        "guests every morning.\n\nWe asked them about their favourite dish, "
        "their busiest morning and what they cook at home.",
        ("nuestra-gente", "gastronomia"),
        "#GrupoBrisa #OurPeople",
        53,
    ),
    P(
        "en/team/night-shift-at-reception",
        "en",
        "Why our night receptionists love the quiet hours",
        "A human story about the night shift at the front desk: late arrivals, "
        "early flights and the calm in between.",
        "Late arrivals, early flights and a city asleep: our night "
        "receptionists tell us why they love the quiet hours.",
        "From eleven at night to seven in the morning, the front desk never "
        "closes. Our night receptionists welcome the last flights, wake the "
        "first ones and look after the building in between.\n\nThey told us "
        "about the strangest requests, the regulars they know by name and why "
        "they would not swap shifts.",
        ("nuestra-gente",),
        "#GrupoBrisa #OurPeople #Hospitality",
        27,
    ),
    P(
        "en/team/housekeeping-makes-it-home",
        "en",
        "Housekeeping: the team that makes every stay feel like home",
        "Housekeeping is the team guests see least and notice most. A "
        "respectful, warm portrait.",
        "Guests rarely see our housekeeping team, but they always notice their "
        "work. We spent a day with them.",
        "At seven in the morning they are already on their way. We followed "
        "Hotel Brisa Madrid's housekeeping team for a whole day: how rooms are "
        "assigned, the details they check twice and the tricks no manual "
        "teaches.\n\nThank you for letting us see up close the work that makes "
        "every stay feel like home.",
        ("nuestra-gente",),
        "#GrupoBrisa #OurPeople",
        29,
    ),
    P(
        "en/destinations/a-weekend-in-seville",
        "en",
        "A weekend in Seville: our team's favourite corners",
        "Tips from the people who live and work in Seville. Great for friends "
        "asking where to go.",
        "Courtyards, markets, riverside sunsets: our Seville team shares its "
        "favourite corners for a weekend in the city.",
        "Planning a weekend in Seville? We asked the team at Hotel Brisa "
        "Seville for their favourite places: the Feria market on a Thursday "
        "morning, the courtyards of San Lorenzo, Triana at sunset and the "
        "rooftops of the old town.\n\nAll within walking distance of the "
        "Alameda de Hércules.",
        ("destinos",),
        "#GrupoBrisa #Seville #Travel",
        40,
    ),
    P(
        "en/destinations/madrid-literary-quarter-walk",
        "en",
        "Madrid's Literary Quarter on foot",
        "A free walking route put together by our concierge team, from "
        "Cervantes's street to a bookshop you should not miss.",
        "Cervantes, Lope de Vega, Quevedo: a free walking route through "
        "Madrid's Literary Quarter by our concierge team.",
        "Hotel Brisa Madrid opened in 1987 in the Literary Quarter, where "
        "Cervantes, Lope de Vega and Quevedo lived and wrote.\n\nOur concierge "
        "team has put together a 90-minute walk through their favourite "
        "corners, historic cafés and a bookshop you should not miss. Download "
        "it for free.",
        ("destinos",),
        "#GrupoBrisa #Madrid #Travel",
        17,
    ),
    P(
        "en/news/seville-among-best-rated",
        "en",
        "Guests rate Hotel Brisa Seville among the city's best",
        "Guest reviews put our Seville hotel in the city's top ten. The credit "
        "goes to the team.",
        "Guest reviews place Hotel Brisa Seville among the ten best-rated "
        "hotels in the city. So proud of this team.",
        "According to this year's guest reviews, Hotel Brisa Seville is one of "
        "the ten best-rated hotels in the city.\n\nThe words guests repeat "
        "most: a friendly front desk, the breakfasts and the courtyard. Behind "
        "each of those words are people we are proud to work with.",
        ("premios-y-noticias",),
        "#GrupoBrisa #Seville",
        7,
    ),
    P(
        f"{JOBS}/en/jobs/front-desk-madrid-seville",
        "en",
        "We're hiring front-desk agents in Madrid and Seville",
        "Front-desk roles open for the spring season. Ideal for international "
        "contacts who speak Spanish or want to learn.",
        "Love welcoming people from all over the world? We're hiring "
        "front-desk agents for Hotel Brisa Madrid and Seville. Stable "
        "contracts, training from day one.",
        "We are hiring front-desk agents for Hotel Brisa Madrid and Hotel "
        "Brisa Seville. English and a second language help, but what matters "
        "most is wanting to look after every guest.\n\nWe offer stable "
        "contracts, rotas published a month ahead, meals on shift and an "
        "onboarding path that starts before your first day.",
        ("empleo",),
        "#GrupoBrisa #Hiring #Hospitality",
        11,
        campaign=TALENT,
    ),
    P(
        f"{JOBS}/en/jobs/kitchen-internships-2027",
        "en",
        "Kitchen internships 2027: applications open",
        "Six paid kitchen internships in Madrid and Seville. Share with "
        "culinary schools and alumni groups.",
        "Six paid kitchen internships for 2027 in Madrid and Seville: market "
        "cooking, a young team and a lot to learn.",
        "If you are studying to be a chef, or just finished, this is for you: "
        "six paid internships in the kitchens of Hotel Brisa Madrid and Hotel "
        "Brisa Seville.\n\nYou will learn market cooking, breakfast service "
        "for a hundred guests and restaurant service, with a mentor from the "
        "team. Applications close at the end of the month.",
        ("empleo", "gastronomia"),
        "#GrupoBrisa #Hiring #Chefs",
        6,
        campaign=TALENT,
    ),
    P(
        "en/team/onboarding-at-brisa",
        "en",
        "Onboarding at Brisa: learning starts before day one",
        "How we welcome new colleagues: a buddy, a path that opens week by "
        "week and check-ins with their manager.",
        "At Brisa nobody starts alone: a buddy, a learning path and a coffee "
        "with the leadership team in your first month.",
        "Starting in a hotel can be overwhelming. That is why everyone who "
        "joins Grupo Brisa has a buddy, a learning path that opens week by "
        "week and conversations with their manager on day one, after a month "
        "and after three months.\n\nHear it from colleagues who just went "
        "through it.",
        ("empleo", "nuestra-gente"),
        "#GrupoBrisa #Careers",
        3,
        campaign=TALENT,
    ),
    # --- Expired offers ---------------------------------------------------------
    P(
        "es/ofertas/tres-noches-al-precio-de-dos",
        "es",
        "Oferta de final de verano: tres noches al precio de dos",
        "Oferta de temporada para amigos y familia. Caduca a final de mes.",
        "Final de verano en Madrid o Sevilla: tres noches al precio de dos en "
        "los hoteles Brisa, solo hasta final de mes.",
        "Alarga el verano con nosotros: reserva tres noches en el Hotel Brisa "
        "Madrid o en el Hotel Brisa Sevilla y paga solo dos. Desayuno "
        "incluido.\n\nVálido para estancias hasta final de mes, reservando en "
        "la web del hotel.",
        ("destinos",),
        "#GrupoBrisa #Escapada",
        60,
        expired_days_ago=31,
    ),
    P(
        "en/offers/three-nights-for-two",
        "en",
        "Late summer offer: stay three nights, pay for two",
        "A seasonal offer for friends and family abroad. It ends this month.",
        "Late summer in Madrid or Seville: stay three nights and pay for two "
        "at Brisa hotels, this month only.",
        "Make summer last a little longer: book three nights at Hotel Brisa "
        "Madrid or Hotel Brisa Seville and pay for two. Breakfast included.\n\n"
        "Valid for stays until the end of the month, booked on the hotel's "
        "website.",
        ("destinos",),
        "#GrupoBrisa #CityBreak",
        59,
        expired_days_ago=31,
    ),
    # --- Milestone templates ----------------------------------------------------
    P(
        "es/trabaja-con-nosotros",
        "es",
        "Plantilla de hito: celebra tu momento en Brisa",
        "Para compartir un hito personal (tu primer mes, un itinerario "
        "completado, una insignia) con tus propias palabras.",
        "Hoy celebro un hito en Grupo Brisa: {milestone}. Gracias al equipo "
        "que me acompaña cada día.",
        "Hoy celebro un hito en Grupo Brisa: {milestone}.\n\nGracias a mis "
        "compañeras y compañeros, que me lo ponen fácil cada día. Si te "
        "interesa trabajar en hostelería con un equipo así, aquí puedes ver "
        "cómo es Brisa por dentro.",
        ("nuestra-gente",),
        "#GrupoBrisa #NuestraGente",
        50,
        milestone=True,
    ),
    P(
        "en/work-with-us",
        "en",
        "Milestone template: celebrate your moment at Brisa",
        "For sharing a personal milestone (your first month, a completed "
        "path, a badge) in your own words.",
        "Today I'm celebrating a milestone at Grupo Brisa: {milestone}. "
        "Thank you to the team who make every day easier.",
        "Today I'm celebrating a milestone at Grupo Brisa: {milestone}.\n\n"
        "Thank you to my colleagues, who make every day easier. If you would "
        "like to work in hospitality with a team like this, here is what Brisa "
        "is like from the inside.",
        ("nuestra-gente",),
        "#GrupoBrisa #OurPeople",
        50,
        milestone=True,
    ),
]

# Drafted by HR and waiting in the "Communications approval" workflow.
DRAFT = P(
    "es/noticias/puertas-abiertas-para-familias",
    "es",
    "Jornada de puertas abiertas para las familias del equipo",
    "El sábado 12 abrimos el hotel de Madrid a las familias de quienes "
    "trabajan en Brisa: visita a las cocinas, la azotea y un desayuno juntos.",
    "El sábado abrimos el Hotel Brisa Madrid a las familias de nuestro equipo: "
    "cocinas, azotea y desayuno juntos.",
    "Nuestras familias oyen hablar del hotel cada día, pero pocas veces lo "
    "ven por dentro. El sábado 12 les abrimos las puertas del Hotel Brisa "
    "Madrid: visita a las cocinas, al huerto de la azotea y un desayuno "
    "todos juntos.",
    ("nuestra-gente",),
    "#GrupoBrisa #NuestraGente",
    0,
)
DRAFT_AUTHOR = "hr.editor"
# An employee's suggestion: a review of the Seville restaurant in the local press.
SUGGESTION = {
    "key": "lead.sala",
    "url": "https://www.guiagastrosevilla.example/resenas/patio-brisa-sevilla",
    "title": "Reseña: el patio del Hotel Brisa Sevilla, cocina de mercado a la sombra",
    "why": "Una reseña muy bonita del restaurante del patio. Habla del equipo de "
    "sala por su nombre y creo que a mucha gente le gustaría leerla.",
}

PUBLISHER = "comms"


@dataclass(frozen=True)
class AdvocateSpec:
    key: str
    weight: int  # how often they share, relative to the others
    personal: float  # share of their posts written in their own words
    on_leaderboards: bool = True
    visible_to_manager: bool = False
    opted_out_days_ago: int | None = None


# Certified people (onboarding/demo.py) who opted in. Beatriz (staff12) and
# Diego (staff16, certificate lapsed) never did; Carmen's certificate lapsed two
# weeks ago, so her shares stop then; Alba opted out nine days ago.
ADVOCATES = [
    AdvocateSpec("comms", 26, 0.5, visible_to_manager=True),
    AdvocateSpec("staff26", 22, 0.6),  # Andrés, community manager
    AdvocateSpec("hr.editor", 16, 0.45, visible_to_manager=True),
    AdvocateSpec("lead.sala", 12, 0.35),
    AdvocateSpec("staff05", 10, 0.2, on_leaderboards=False),  # Adrián
    AdvocateSpec("staff08", 8, 0.3, opted_out_days_ago=9),  # Alba
    AdvocateSpec("lead.fd.sev", 8, 0.25),  # Carmen
]

NETWORK_WEIGHTS = {
    Network.LINKEDIN: 40,
    Network.X: 20,
    Network.WHATSAPP: 20,
    Network.FACEBOOK: 10,
    Network.EMAIL: 5,
    Network.MASTODON: 5,
}
# Typical visits a share brings, before chance.
VISITS = {
    Network.LINKEDIN: 9,
    Network.X: 5,
    Network.WHATSAPP: 7,
    Network.FACEBOOK: 6,
    Network.EMAIL: 3,
    Network.MASTODON: 4,
}
REFERRERS = {
    Network.LINKEDIN: ["www.linkedin.com", "www.linkedin.com", "lnkd.in"],
    Network.X: ["t.co"],
    Network.FACEBOOK: ["l.facebook.com", "lm.facebook.com", "m.facebook.com"],
    Network.WHATSAPP: [""],
    Network.EMAIL: ["", "mail.google.com", "outlook.live.com"],
    Network.MASTODON: ["mastodon.social", "mastodon.online", "masto.es"],
}
PREVIEW_AGENTS = {
    Network.LINKEDIN: ["LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient)"],
    Network.X: ["Twitterbot/1.0"],
    Network.FACEBOOK: [
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
    ],
    Network.WHATSAPP: ["WhatsApp/2.24.20.89 A", "WhatsApp/2.24.19.86 i"],
    Network.EMAIL: ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"],
    Network.MASTODON: [
        "http.rb/5.1.1 (Mastodon/4.2.10; +https://mastodon.social/)",
        "http.rb/5.1.1 (Mastodon/4.3.1; +https://mastodon.online/)",
        "http.rb/5.2.0 (Mastodon/4.3.0; +https://masto.es/)",
    ],
}
BROWSERS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/125.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 [LinkedInApp]",
]
COUNTRIES = [("ES", 55), ("MX", 9), ("GB", 8), ("FR", 5), ("US", 5), ("DE", 4)]
COUNTRIES += [("AR", 3), ("CO", 3), ("PT", 3), ("IT", 2), ("", 3)]
OPENERS = {
    "es": [
        "Lo vivo cada día desde dentro.",
        "Orgullo de equipo.",
        "Os lo cuento desde el hotel:",
        "Esto es lo que hacemos en Brisa.",
        "Si me preguntáis por qué trabajo aquí, aquí va un buen ejemplo.",
        "Me hace mucha ilusión compartir esto.",
        "De primera mano:",
        "Nada de esto sería posible sin mis compañeros.",
        "Para quien me pregunta siempre por el hotel:",
        "Pequeños gestos, gran diferencia.",
    ],
    "en": [
        "Proud of my colleagues for this one.",
        "Seen from the inside:",
        "This is why I love working here.",
        "Worth a look if you're heading to Spain:",
        "Small things, big difference.",
        "A great team behind this.",
        "Sharing this with a smile:",
        "For everyone who asks me about the hotel:",
    ],
}
EMAIL_WORDS = {"es": ("Hola:", "Un abrazo,"), "en": ("Hi,", "Best wishes,")}


# --- content ---------------------------------------------------------------------


def _captions(spec: PostSpec) -> dict[str, str]:
    greeting, closing = EMAIL_WORDS[spec.language]
    long = f"{spec.hook}\n\n{spec.body}"
    mastodon_room = caption_budget(network=Network.MASTODON, hashtags=spec.hashtags)
    return {
        "caption_linkedin": long,
        "caption_x": spec.hook,
        "caption_facebook": spec.body,
        "caption_whatsapp": spec.hook,
        "caption_mastodon": long if len(long) <= mastodon_room else spec.hook,
        "caption_email": f"{greeting}\n\n{spec.body}\n\n{closing}",
    }


def _post_build(spec: PostSpec, *, topics: dict[str, Topic], campaigns) -> BrandPost:
    post = BrandPost(
        title=spec.title,
        commentary=spec.commentary,
        url=spec.url,
        language=spec.language,
        hashtags=spec.hashtags,
        campaign=campaigns.get(spec.campaign),
        milestone_template=spec.milestone,
        live=False,
        **_captions(spec),
    )
    post.topics = [topics[slug] for slug in spec.topics]
    post.full_clean()
    post.save()
    return post


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(
        day, time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def _backdate(post: BrandPost, *, published: datetime, expired: datetime | None):
    """Dates as if the post had been approved on ``published``."""
    BrandPost.objects.filter(pk=post.pk).update(
        created_at=published - timedelta(hours=3),
        first_published_at=published,
        last_published_at=published,
    )
    content_type = ContentType.objects.get_for_model(BrandPost)
    Revision.objects.filter(
        base_content_type=content_type, object_id=str(post.pk)
    ).update(created_at=published - timedelta(minutes=20))
    logs = ModelLogEntry.objects.filter(
        content_type=content_type, object_id=str(post.pk)
    )
    logs.update(timestamp=published)
    if expired is not None:
        logs.filter(action="wagtail.unpublish").update(timestamp=expired)


def _posts_ensure(*, today: date, topics, campaigns, people) -> list[BrandPost]:
    """The published posts, each created and approved once."""
    author = people.get(DRAFT_AUTHOR)
    publisher = people.get(PUBLISHER)
    existing = {
        p.url: p for p in BrandPost.objects.filter(url__in=[s.url for s in POSTS])
    }
    for position, spec in enumerate(POSTS):
        if spec.url in existing:
            continue
        published = _at(
            today - timedelta(days=spec.days_ago), 9 + position % 4, 5 * position % 60
        )
        expired = None
        if spec.expired_days_ago is not None:
            expired = _at(today - timedelta(days=spec.expired_days_ago), 0, 0)
        post = _post_build(spec, topics=topics, campaigns=campaigns)
        post.expire_at = expired
        revision = post.save_revision(
            user=author.user if author else None, log_action=True
        )
        revision.publish(user=publisher.user if publisher else None)
        if expired is not None:
            # What Wagtail's scheduler does once the expiry passes.
            BrandPost.objects.get(pk=post.pk).unpublish(set_expired=True)
        _backdate(post, published=published, expired=expired)
    return list(BrandPost.objects.filter(url__in=[s.url for s in POSTS]))


def _drafts_ensure(*, topics, campaigns, people) -> None:
    """One HR draft and one employee suggestion waiting for Communications."""
    author = people.get(DRAFT_AUTHOR)
    if author and not BrandPost.objects.filter(url=DRAFT.url).exists():
        post = _post_build(DRAFT, topics=topics, campaigns=campaigns)
        post.save_revision(user=author.user, log_action=True)
        workflow = post.get_workflow()
        if workflow is not None:
            workflow.start(post, author.user)
    suggester = people.get(SUGGESTION["key"])
    if suggester and not BrandPost.objects.filter(url=SUGGESTION["url"]).exists():
        try:
            suggestion_create(
                employee=suggester,
                url=SUGGESTION["url"],
                why=SUGGESTION["why"],
                title=SUGGESTION["title"],
            )
        except SharingRefused:
            pass  # five suggestions today already: not the demo's business


# --- advocates ---------------------------------------------------------------------


@dataclass
class Advocate:
    spec: AdvocateSpec
    employee: Employee
    consent: AdvocacyConsent
    certificates: list[tuple[datetime, datetime]] = field(default_factory=list)

    def may_share(self, at: datetime) -> bool:
        consent = self.consent
        if consent.opted_in_at is None or consent.opted_in_at > at:
            return False
        if consent.opted_out_at is not None and consent.opted_out_at <= at:
            return False
        return any(issued <= at < expires for issued, expires in self.certificates)


def _advocates_ensure(*, now: datetime, people) -> list[Advocate]:
    """Consent for the certified advocates, kept once given (people may change it)."""
    certificates = defaultdict(list)
    for employee_id, issued, expires in Certificate.objects.filter(
        advocate=True, enrolment__employee__in=people.values()
    ).values_list("enrolment__employee_id", "issued_at", "expires_at"):
        certificates[employee_id].append((issued, expires or now + timedelta(days=1)))
    advocates = []
    for spec in ADVOCATES:
        employee = people.get(spec.key)
        if employee is None or not certificates[employee.pk]:
            continue  # not certified: nothing to opt in to
        first = min(issued for issued, _expires in certificates[employee.pk])
        consent, _created = AdvocacyConsent.objects.get_or_create(
            employee=employee,
            defaults={
                "opted_in_at": first + timedelta(days=2, hours=3),
                "opted_out_at": (
                    now - timedelta(days=spec.opted_out_days_ago)
                    if spec.opted_out_days_ago is not None
                    else None
                ),
                "on_leaderboards": spec.on_leaderboards,
                "visible_to_manager": spec.visible_to_manager,
            },
        )
        advocates.append(
            Advocate(spec, employee, consent, sorted(certificates[employee.pk]))
        )
    return advocates


# --- sixty days of shares and clicks ---------------------------------------------


@dataclass
class Planned:
    """A share with its clicks, before anything is stored."""

    advocate: Advocate
    post: BrandPost
    network: str
    at: datetime
    caption: str
    personalised: bool
    clicks: list[Click] = field(default_factory=list)


def _pick(rng: random.Random, weighted: list[tuple[object, float]]):
    items = [item for item, _weight in weighted]
    weights = [weight for _item, weight in weighted]
    return rng.choices(items, weights=weights)[0]


def _share_plan(
    *,
    rng: random.Random,
    advocates: list[Advocate],
    posts: list[BrandPost],
    windows: dict[int, tuple[date, date]],
    now: datetime,
    hashtag: str,
) -> list[Planned]:
    today = timezone.localdate(now)
    shareable = [p for p in posts if not p.milestone_template]
    planned: list[Planned] = []
    done: set[tuple[int, int, str]] = set()
    done_days: set[tuple[int, int, str, date]] = set()
    specs = {s.url: s for s in POSTS}
    for days_ago in range(DAYS, -1, -1):
        day = today - timedelta(days=days_ago)
        in_campaign = any(start <= day <= end for start, end in windows.values())
        count = rng.randint(3, 7) if day.weekday() < 5 else rng.randint(1, 4)
        if in_campaign:
            count += rng.randint(2, 4)
        for _ in range(count):
            at = _at(day, rng.randint(8, 22), rng.randint(0, 59))
            if at >= now:
                continue
            people = [(a, a.spec.weight) for a in advocates if a.may_share(at)]
            choices = []
            for post in shareable:
                published = post.first_published_at
                if published is None or published >= at:
                    continue
                if post.expire_at is not None and post.expire_at <= at:
                    continue
                age = (at - published).days
                weight = 6 / (1 + age / 5)
                window = windows.get(post.campaign_id)
                if window and window[0] <= day <= window[1]:
                    weight *= 4
                choices.append((post, weight))
            if not people or not choices:
                continue
            advocate = _pick(rng, people)
            # Everyone at Brisa reads Spanish; English posts travel less.
            choices = [
                (post, weight * (1 if post.language == "es" else 0.7))
                for post, weight in choices
            ]
            post = _pick(rng, choices)
            network = _pick(rng, list(NETWORK_WEIGHTS.items()))
            base = (advocate.employee.pk, post.pk, network)
            if base in done and rng.random() > 0.2:
                continue  # most people share a post on a network once
            if (*base, day) in done_days:
                continue  # the same share that day (advocacy.services.share_key)
            done.add(base)
            done_days.add((*base, day))
            spec = specs[post.url]
            personalised = rng.random() < advocate.spec.personal
            if personalised:
                opener = rng.choice(OPENERS[post.language])
                own = spec.title if network == Network.X else spec.hook
                caption = f"{opener} {own}"
            else:
                caption = post.caption(network) or post.commentary
            planned.append(
                Planned(
                    advocate=advocate,
                    post=post,
                    network=network,
                    at=at + timedelta(seconds=rng.randint(0, 59)),
                    caption=with_disclosure(caption=caption, hashtag=hashtag),
                    personalised=personalised,
                )
            )
    return planned


def _visitors(rng: random.Random, size: int) -> list[tuple[str, str, str]]:
    """Made-up readers: documentation-range addresses, common browsers."""
    countries = list(COUNTRIES)
    visitors = []
    for number in range(size):
        if number % 7 == 0:
            ip = f"2001:db8:{rng.randint(1, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
        else:
            prefix = rng.choice(["192.0.2", "198.51.100", "203.0.113"])
            ip = f"{prefix}.{rng.randint(1, 254)}"
        visitors.append((ip, rng.choice(BROWSERS), _pick(rng, countries)))
    return visitors


def _click(*, at: datetime, network: str, referrer: str, country: str, ip, agent):
    day = at.astimezone(UTC).date()
    return Click(
        at=at,
        day=day,
        network=network,
        referrer_host=referrer,
        country=country,
        visitor=visitor_hash(ip=ip, user_agent=agent, day=day),
        preview=is_preview(method="GET", user_agent=agent),
    )


def _clicks_plan(
    *, rng: random.Random, planned: list[Planned], talent_id: int | None, now
) -> None:
    """Previews right after each share, then visits tailing off over days.

    Each share draws from its own generator, and draws everything before
    dropping what lies in the future, so seeding at another time of day
    changes only the newest clicks.
    """
    visitors = _visitors(rng, 1800)
    for index, share in enumerate(planned):
        own = random.Random(f"{SEED}:{index}")  # noqa: S311 - demo data
        network = share.network
        previews = own.randint(1, 5 if network == Network.MASTODON else 3)
        for _ in range(previews):
            share.clicks.append(
                _click(
                    at=share.at + timedelta(seconds=own.randint(2, 300)),
                    network=network,
                    referrer="",
                    country=own.choice(["US", "IE", ""]),
                    ip=f"198.51.100.{own.randint(1, 254)}",
                    agent=own.choice(PREVIEW_AGENTS[network]),
                )
            )
        visits = VISITS[network] * own.lognormvariate(0, 0.6)
        if talent_id is not None and share.post.campaign_id == talent_id:
            visits *= 1.4
        for _ in range(int(visits)):
            at = share.at + timedelta(hours=min(own.expovariate(1 / 20), 24 * 14))
            ip, agent, country = own.choice(visitors)
            referrer = own.choice(REFERRERS[network]) if own.random() < 0.7 else ""
            repeats = own.choice([1, 2, 3]) if own.random() < 0.15 else 0
            gaps = [own.randint(1, 40) for _ in range(repeats)]
            for when in [at] + [at + timedelta(minutes=g) for g in gaps]:
                share.clicks.append(
                    _click(
                        at=when,
                        network=network,
                        referrer=referrer,
                        country=country,
                        ip=ip,
                        agent=agent,
                    )
                )
        share.clicks = [click for click in share.clicks if click.at < now]


def _bulk_create_dated(model, rows: list) -> None:
    """Insert ``rows`` keeping their ``created_at``, which ``auto_now_add``
    overwrites on insert (and on the instances)."""
    dates = [row.created_at for row in rows]
    model.objects.bulk_create(rows, batch_size=500)
    for row, created_at in zip(rows, dates, strict=True):
        row.created_at = created_at
    model.objects.bulk_update(rows, ["created_at"], batch_size=200)


def _store(planned: list[Planned]) -> tuple[dict, list[Share], list[Click]]:
    """Links, shares and clicks in bulk, with their real dates."""
    links: dict[tuple[int, int, str], TrackedLink] = {}
    for share in sorted(planned, key=lambda s: s.at):
        base = (share.advocate.employee.pk, share.post.pk, share.network)
        if base not in links:
            links[base] = TrackedLink(
                employee=share.advocate.employee,
                post=share.post,
                network=share.network,
                created_at=share.at,
            )
    _bulk_create_dated(TrackedLink, list(links.values()))
    shares, clicks = [], []
    for share in planned:
        link = links[(share.advocate.employee.pk, share.post.pk, share.network)]
        shares.append(
            Share(
                employee=share.advocate.employee,
                post=share.post,
                link=link,
                network=share.network,
                caption=share.caption,
                personalised=share.personalised,
                created_at=share.at,
                key=share_key(
                    employee=share.advocate.employee,
                    post=share.post,
                    network=share.network,
                    day=timezone.localdate(share.at),
                ),
            )
        )
        for click in share.clicks:
            click.link = link
            clicks.append(click)
    _bulk_create_dated(Share, shares)
    Click.objects.bulk_create(clicks, batch_size=1000)
    return links, shares, clicks


def _points(shares: list[Share], clicks: list[Click]) -> list[PointsEntry]:
    """The ledger lines advocacy/rewards.py would have written, with their times.

    Same keys, so a real share or click later never earns twice; the same cap
    of new visitors per person, post and day.
    """
    lines: dict[str, PointsEntry] = {}

    def add(*, employee_id, reason, key, at, post_id, day=None) -> None:
        if key not in lines:
            lines[key] = PointsEntry(
                employee_id=employee_id,
                reason=reason,
                points=POINTS[reason],
                key=key,
                at=at,
                post_id=post_id,
                day=day,
            )

    for share in sorted(shares, key=lambda s: s.created_at):
        base = f"{share.employee_id}:{share.post_id}:{share.network}"
        add(
            employee_id=share.employee_id,
            reason=PointsEntry.Reason.SHARE,
            key=f"share:{base}",
            at=share.created_at,
            post_id=share.post_id,
        )
        if share.personalised:
            add(
                employee_id=share.employee_id,
                reason=PointsEntry.Reason.PERSONAL,
                key=f"personal:{base}",
                at=share.created_at,
                post_id=share.post_id,
            )
    taken: dict[tuple[int, int, date], int] = defaultdict(int)
    for click in sorted(clicks, key=lambda c: c.at):
        if click.preview:
            continue
        link = click.link
        key = f"click:{link.pk}:{click.day:%Y%m%d}:{click.visitor}"
        group = (link.employee_id, link.post_id, click.day)
        if key in lines or taken[group] >= CLICK_POINTS_CAP:
            continue
        taken[group] += 1
        add(
            employee_id=link.employee_id,
            reason=PointsEntry.Reason.CLICK,
            key=key,
            at=click.at,
            post_id=link.post_id,
            day=click.day,
        )
    return list(lines.values())


def _click_milestones(clicks: list[Click], *, now: datetime) -> list[Notification]:
    """Click milestones from 10 up ("your link got its 10th click"), as the
    drain would have sent them."""
    by_link = defaultdict(list)
    for click in clicks:
        if not click.preview:
            by_link[click.link.pk].append(click)
    notifications = []
    for link_clicks in by_link.values():
        link_clicks.sort(key=lambda c: c.at)
        link = link_clicks[0].link
        for milestone in CLICK_MILESTONES:
            if milestone < 10 or milestone > len(link_clicks):
                continue
            at = link_clicks[milestone - 1].at
            notifications.append(
                Notification(
                    user_id=link.employee.user_id,
                    kind=Notification.Kind.CLICK_MILESTONE,
                    key=f"click:{link.pk}:{milestone}",
                    data={
                        "clicks": milestone,
                        "network": link.network,
                        "post": link.post_id,
                        "title": link.post.title,
                    },
                    created_at=at,
                    read_at=None if now - at < timedelta(days=3) else at,
                )
            )
    return notifications


def _badges_backdate(
    *, shares: list[Share], clicks: list[Click], ended: Campaign | None, now
) -> None:
    """Badges, their notifications and prompts dated when they were earned."""
    reached: dict[tuple[int, str, int | None], datetime] = {}
    by_person = defaultdict(list)
    for share in sorted(shares, key=lambda s: s.created_at):
        by_person[share.employee_id].append(share)
    for employee_id, own in by_person.items():
        reached[(employee_id, Badge.FIRST_SHARE, None)] = own[0].created_at
        personal = [s for s in own if s.personalised]
        if len(personal) >= PERSONAL_BADGE_AT:
            reached[(employee_id, Badge.PERSONAL_10, None)] = personal[
                PERSONAL_BADGE_AT - 1
            ].created_at
    clicked = defaultdict(list)
    for click in clicks:
        if not click.preview:
            clicked[click.link.employee_id].append(click.at)
    for employee_id, times in clicked.items():
        if len(times) >= CLICKS_BADGE_AT:
            reached[(employee_id, Badge.CLICKS_100, None)] = sorted(times)[
                CLICKS_BADGE_AT - 1
            ]
    if ended is not None:
        goal_at = _at(ended.ends_on, 23, 0)
        for employee_id in {
            s.employee_id for s in shares if s.post.campaign_id == ended.pk
        }:
            reached[(employee_id, Badge.CAMPAIGN_GOAL, ended.pk)] = goal_at
    for award in BadgeAward.objects.filter(
        employee_id__in=by_person, awarded_at__gte=now
    ):
        at = reached.get((award.employee_id, award.badge, award.campaign_id))
        if at is None:
            continue
        BadgeAward.objects.filter(pk=award.pk).update(awarded_at=at)
        campaign = award.campaign_id or ""
        Notification.objects.filter(
            key=f"badge:{award.employee_id}:{award.badge}:{campaign}"
        ).update(
            created_at=at,
            read_at=None if now - at < timedelta(days=5) else at + timedelta(hours=2),
        )
        ref = f"{award.badge}:{award.campaign_id}" if award.campaign_id else award.badge
        MilestonePrompt.objects.filter(
            employee_id=award.employee_id, kind=MilestonePrompt.Kind.BADGE, ref=ref
        ).update(created_at=at)


def _targets_set(*, campaigns: dict[str, Campaign], shares, clicks) -> None:
    """The ended campaign just beat its goal; the live one is about 60% there."""
    ended = campaigns.get(GREEN_WEEK)
    if ended is not None:
        start, end = _at(ended.starts_on, 0, 0), _at(ended.ends_on + timedelta(1), 0, 0)
        count = sum(
            1
            for s in shares
            if s.post.campaign_id == ended.pk and start <= s.created_at < end
        )
        Campaign.objects.filter(pk=ended.pk).update(
            target=max(5, int(count * 0.9) // 5 * 5)
        )
    live = campaigns.get(TALENT)
    if live is not None:
        start = _at(live.starts_on, 0, 0)
        count = sum(
            1
            for c in clicks
            if not c.preview and c.link.post.campaign_id == live.pk and c.at >= start
        )
        Campaign.objects.filter(pk=live.pk).update(
            target=max(10, round(count / 0.6 / 10) * 10)
        )


def _activity_create(
    *, advocates: list[Advocate], posts: list[BrandPost], campaigns, now: datetime
) -> None:
    rng = random.Random(SEED)  # noqa: S311 - a stable demo, not a secret
    site = Site.objects.filter(is_default_site=True).first()
    hashtag = DEFAULT_HASHTAG
    if site is not None:
        hashtag = BrandSettings.for_site(site).disclosure_hashtag or DEFAULT_HASHTAG
    windows = {c.pk: (c.starts_on, c.ends_on) for c in campaigns.values()}
    talent = campaigns.get(TALENT)
    planned = _share_plan(
        rng=rng,
        advocates=advocates,
        posts=posts,
        windows=windows,
        now=now,
        hashtag=hashtag,
    )
    _clicks_plan(
        rng=rng, planned=planned, talent_id=talent.pk if talent else None, now=now
    )
    _links, shares, clicks = _store(planned)
    PointsEntry.objects.bulk_create(_points(shares, clicks), batch_size=1000)
    notifications = _click_milestones(clicks, now=now)
    _bulk_create_dated(Notification, notifications)
    _targets_set(campaigns=campaigns, shares=shares, clicks=clicks)

    badges_check(employee_ids={a.employee.pk for a in advocates})
    ended = campaigns.get(GREEN_WEEK)
    if ended is not None:
        ended.refresh_from_db()
        campaign_progress_publish(campaign=ended)  # reached: campaign badges
    _badges_backdate(shares=shares, clicks=clicks, ended=ended, now=now)


# --- the seed ---------------------------------------------------------------------


def _demo_people() -> dict[str, Employee]:
    people = _people()
    by_email = {
        e.user.email.lower(): e
        for e in Employee.objects.select_related("user").filter(
            user__email__in=[_email(p) for p in people]
        )
    }
    return {p.key: by_email[_email(p)] for p in people if _email(p) in by_email}


def _campaigns_ensure(*, today: date, topics) -> dict[str, Campaign]:
    campaigns = {}
    for spec in CAMPAIGNS:
        campaign, created = Campaign.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "starts_on": today - timedelta(days=spec.starts_days_ago),
                "ends_on": today - timedelta(days=spec.ends_days_ago),
                "goal": spec.goal,
                "target": 100,  # set from the generated activity
            },
        )
        if created:
            campaign.full_clean()
            campaign.topics = [topics[slug] for slug in spec.topics]
            campaign.save()
        campaigns[spec.slug] = campaign
    return campaigns


def advocacy_demo_seed() -> None:
    """Grupo Brisa's posts, campaigns, advocates and 60 days of reach; safe to
    repeat.

    The hub events the seed raises are stored when its transaction commits;
    they are dropped then, so the demo's hub starts with a clean log.
    """
    last_event = HubEvent.objects.aggregate(top=Max("pk"))["top"] or 0
    _seed()
    HubEvent.objects.filter(pk__gt=last_event).delete()


@transaction.atomic
def _seed() -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    advocacy_workflow_ensure()
    people = _demo_people()

    topics = {}
    for slug, name, name_en in TOPICS:
        topics[slug], _created = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en}
        )
    campaigns = _campaigns_ensure(today=today, topics=topics)
    posts = _posts_ensure(
        today=today, topics=topics, campaigns=campaigns, people=people
    )
    _drafts_ensure(topics=topics, campaigns=campaigns, people=people)
    advocates = _advocates_ensure(now=now, people=people)
    if advocates and not Share.objects.filter(post__in=posts).exists():
        _activity_create(advocates=advocates, posts=posts, campaigns=campaigns, now=now)
