"""Blocks that only modules use: policies to acknowledge, questions, links to values."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from identity.blocks import IdentityStreamBlock


class PolicyBlock(blocks.StructBlock):
    """A policy the person must acknowledge: its presence makes the module ask."""

    title = blocks.CharBlock(label=_("Policy name"), max_length=150)
    text = blocks.RichTextBlock(
        label=_("Policy text"), features=["bold", "italic", "link", "ol", "ul", "h3"]
    )
    document = DocumentChooserBlock(
        label=_("Full document"), required=False, help_text=_("Optional PDF.")
    )

    class Meta:
        icon = "doc-full-inverse"
        label = _("Policy to acknowledge")
        template = "onboarding/blocks/policy_block.html"
        description = _(
            "People confirm they read and accept this version of the policy; "
            "the module is not done until they do."
        )


class ValueLinksBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=150)
    values = blocks.ListBlock(
        SnippetChooserBlock("identity.Value"), label=_("Values"), min_num=1
    )

    class Meta:
        icon = "link"
        label = _("Links to values")
        template = "onboarding/blocks/value_links_block.html"


class ModuleStreamBlock(IdentityStreamBlock):
    policy = PolicyBlock()
    value_links = ValueLinksBlock()


class CheckOptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"), max_length=250)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)
    feedback = blocks.CharBlock(
        label=_("Feedback"),
        required=False,
        max_length=300,
        help_text=_("Shown after answering, when this option was chosen."),
    )


class CheckQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=300)
    multiple = blocks.BooleanBlock(
        label=_("Several answers can be right"),
        required=False,
        help_text=_("People tick every right answer; all must be ticked to score."),
    )
    options = blocks.ListBlock(
        CheckOptionBlock(), label=_("Answers"), min_num=2, max_num=8
    )

    class Meta:
        icon = "help"
        label = _("Question")

    def clean(self, value):
        value = super().clean(value)
        right = sum(1 for option in value["options"] if option["correct"])
        if right == 0:
            raise StructBlockValidationError(
                non_block_errors=[
                    ValidationError(_("Mark at least one answer correct."))
                ]
            )
        if right > 1 and not value["multiple"]:
            raise StructBlockValidationError(
                non_block_errors=[
                    ValidationError(
                        _(
                            "Several answers are marked correct: tick “Several "
                            "answers can be right” or keep only one."
                        )
                    )
                ]
            )
        return value


class CheckStreamBlock(blocks.StreamBlock):
    question = CheckQuestionBlock()


class ScaleQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(
        label=_("Statement"),
        max_length=250,
        help_text=_("Answered from 1 (strongly disagree) to 5 (strongly agree)."),
    )

    class Meta:
        icon = "list-ol"
        label = _("1–5 question")


class PulseStreamBlock(blocks.StreamBlock):
    scale = ScaleQuestionBlock()
