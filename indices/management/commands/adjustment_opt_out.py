"""Record (or withdraw) a member's opt-out from the exchange's seasonal adjustment of one of
its monthly series (H7, docs/seasonal-adjustment.md), then adjust that series again at once:

    python manage.py adjustment_opt_out M.TH.C.N.IX --reason "administrative series" --by alice
    python manage.py adjustment_opt_out M.TH.C.N.IX --withdraw --by alice
    python manage.py adjustment_opt_out --list

Opted out, the exchange's Y and T of the series are withdrawn by a follow-up release, and its
diagnostics say "Not adjusted: opted out by the member". The run goes to the adjustment queue
(a worker must serve it); the secretariat's web pages never run X-13 themselves. The Django
admin does the same ("Adjustment opt-outs", indices/publish/admin.py).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from indices.publish.releases import adjustment_schedule_again
from indices.publish.services.adjustment import (
    adjustment_opt_out_record,
    adjustment_opt_out_withdraw,
    adjustment_opt_outs,
)


class Command(BaseCommand):
    help = "Record or withdraw a member's opt-out from the exchange's seasonal adjustment."

    def add_arguments(self, parser) -> None:
        parser.add_argument("series_key", nargs="?", help="the monthly N series: M.TH.C.N.IX")
        parser.add_argument("--reason", default="", help="why the member opts out (required)")
        parser.add_argument("--by", default="", help="who at the secretariat records it")
        parser.add_argument("--withdraw", action="store_true", help="adjust the series again")
        parser.add_argument("--list", action="store_true", help="list the opt-outs")

    def handle(self, *args, **options) -> None:
        if options["list"]:
            for opt_out in adjustment_opt_outs():
                self.stdout.write(
                    f"{opt_out.series_key}\t{opt_out.recorded_at:%Y-%m-%d}\t"
                    f"{opt_out.recorded_by}\t{opt_out.reason}"
                )
            return
        key = options["series_key"]
        if not key:
            raise CommandError("Name the series (M.TH.C.N.IX), or --list.")
        try:
            if options["withdraw"]:
                adjustment_opt_out_withdraw(key, by=options["by"])
                self.stdout.write(f"{key}: opt-out withdrawn, the exchange adjusts it again.")
            else:
                if not options["reason"].strip():
                    raise CommandError("Say why (--reason): it is shown in the diagnostics.")
                adjustment_opt_out_record(key, reason=options["reason"], by=options["by"])
                self.stdout.write(f"{key}: opted out of the exchange's adjustment.")
        except ValueError as error:
            raise CommandError(str(error)) from error
        source = adjustment_schedule_again(key)
        if source is not None:
            self.stdout.write(f"{key}: adjustment queued again (after release {source.pk}).")
