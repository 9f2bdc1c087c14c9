"""A platform's reporting route is quoted from the policy, and the checker holds it to that."""

import shutil

from bot.policy.checker import check_packs


def test_reporting_route_that_the_policy_does_not_print_fails_the_check(tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree("policies", policies)
    pack = policies / "tewv.yml"
    route = 'text: "How to report content on Facebook"}'
    assert route in pack.read_text()
    pack.write_text(pack.read_text().replace(route, 'text: "Report it on Facebook Messenger"}'))
    errors = check_packs(policies)
    assert any("platform_reporting.facebook" in e and "not verbatim" in e for e in errors)


def test_real_packs_reporting_routes_pass():
    assert not [e for e in check_packs() if "platform_reporting" in e]
