"""StreamField blocks shared by identity pages and, later, onboarding modules."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from people.blocks import EmployeeChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))],
        default="h2",
        help_text=_("The page title is the only top-level heading."),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "blocks/heading_block.html"
        preview_value = {"text": "Nuestra historia", "level": "h2"}
        description = _("A section heading; keeps headings in order.")


class RichTextBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        label = _("Rich text")
        template = "blocks/rich_text_block.html"
        features = ["bold", "italic", "link", "ol", "ul", "h3", "h4", "document-link"]
        preview_value = (
            "<p>En Brisa cuidamos a cada huésped como si fuera el primero.</p>"
        )


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image with caption")
        template = "blocks/captioned_image_block.html"
        preview_value = {"caption": "El primer hotel, en 1987."}
        description = _("An image with required alt text (unless decorative).")


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(
        label=_("Video URL"), help_text=_("A YouTube or Vimeo link, for example.")
    )
    title = blocks.CharBlock(label=_("Title"), max_length=150)
    transcript = blocks.TextBlock(label=_("Transcript"), required=False)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "blocks/video_block.html"
        preview_value = {"title": "Bienvenida de la directora general"}


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Link text"), required=False, max_length=150)

    class Meta:
        icon = "doc-full"
        label = _("Document link")
        template = "blocks/document_link_block.html"
        preview_value = {"title": "Manual de bienvenida (PDF)"}


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Who said it"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "blocks/quote_block.html"
        preview_value = {
            "quote": "La hospitalidad empieza por casa.",
            "attribution": "Lucía Ferrer, directora general",
        }


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        label=_("Tone"),
        choices=[
            ("info", _("Information")),
            ("tip", _("Tip")),
            ("important", _("Important")),
        ],
        default="info",
    )
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link"])

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "blocks/callout_block.html"
        preview_value = {
            "tone": "tip",
            "title": "Un consejo",
            "text": "<p>Pregunta a tu compañero de acogida.</p>",
        }


class ValueCardBlock(blocks.StructBlock):
    value = SnippetChooserBlock("identity.Value", label=_("Value"))
    note = blocks.TextBlock(
        label=_("What it means here"),
        required=False,
        help_text=_("Optional: how this value shows up in this part of the company."),
    )

    class Meta:
        icon = "pick"
        label = _("Value card")
        template = "blocks/value_card_block.html"
        preview_value = {"note": "Así lo vivimos en recepción."}


class TimelineEventBlock(blocks.StructBlock):
    date = blocks.DateBlock(label=_("Date"))
    title = blocks.CharBlock(label=_("Title"), max_length=150)
    text = blocks.TextBlock(label=_("Text"), required=False)


class TimelineBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=150)
    events = blocks.ListBlock(TimelineEventBlock(), label=_("Events"), min_num=1)

    class Meta:
        icon = "date"
        label = _("Timeline")
        template = "blocks/timeline_block.html"
        preview_value = {
            "title": "Nuestra historia",
            "events": [
                {"date": "1987-05-01", "title": "Abre el primer hotel", "text": ""},
                {"date": "2024-03-15", "title": "Llegamos a Sevilla", "text": ""},
            ],
        }


class PeopleCardsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=150)
    people = blocks.ListBlock(
        blocks.StructBlock(
            [
                (
                    "employee",
                    EmployeeChooserBlock(
                        label=_("Employee"),
                        required=False,
                        help_text=_(
                            "Shows their name and job title from their profile. "
                            "Or leave empty and write the details below."
                        ),
                    ),
                ),
                ("name", blocks.CharBlock(label=_("Name"), required=False)),
                ("role", blocks.CharBlock(label=_("Role"), required=False)),
                ("bio", blocks.TextBlock(label=_("About"), required=False)),
                ("photo", ImageBlock(label=_("Photo"), required=False)),
            ]
        ),
        label=_("People"),
        min_num=1,
    )

    class Meta:
        icon = "group"
        label = _("People cards")
        template = "blocks/people_cards_block.html"
        preview_value = {
            "title": "Quién te acompaña",
            "people": [{"name": "Marta Quintana", "role": "Directora de Personas"}],
        }


class BrandVoiceBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=150)
    pairs = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("do", blocks.TextBlock(label=_("Do"))),
                ("dont", blocks.TextBlock(label=_("Don't"))),
            ]
        ),
        label=_("Do / don't pairs"),
        min_num=1,
    )

    class Meta:
        icon = "comment"
        label = _("Brand voice: do / don't")
        template = "blocks/brand_voice_block.html"
        preview_value = {
            "title": "Cómo hablamos",
            "pairs": [
                {
                    "do": "Te esperamos en recepción.",
                    "dont": "Diríjase al mostrador correspondiente.",
                }
            ],
        }


class IdentityStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    rich_text = RichTextBlock()
    image = CaptionedImageBlock()
    video = VideoBlock()
    document = DocumentLinkBlock()
    quote = QuoteBlock()
    callout = CalloutBlock()
    value_card = ValueCardBlock()
    timeline = TimelineBlock()
    people_cards = PeopleCardsBlock()
    brand_voice = BrandVoiceBlock()
