"""What onboarding tells other apps, without knowing who listens.

``module_completed`` is sent with ``employee`` and ``module`` each time a
module is completed (a refresher too); ``path_completed`` with ``employee``
and ``path`` when the last required module of a path is done. Both are sent
inside the transaction that completes them.
"""

from django.dispatch import Signal

module_completed = Signal()
path_completed = Signal()
