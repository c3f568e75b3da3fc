"""Walks the member and the coordinator journeys through the Python client
that openapi-python-client generates from api-spec/openapi.yaml, as a front
end would: every answer must have a documented status, parse into the
generated typed model, and turn back into exactly the JSON the server sent
(so no field is missing from the contract, mistyped or left over).

Usage: python journeys.py CLIENT_PARENT_DIR BASE_URL MAIL_DIR COORDINATOR_EMAIL PASSWORD

CLIENT_PARENT_DIR holds the generated package `buddymatch_client`; MAIL_DIR is
the server's mail folder (.eml files), where the verification links arrive.
tests/api/clients.rs runs it against a live server on SQLite and PostgreSQL.
"""

import datetime
import zoneinfo
import email
import email.policy
import json
import pathlib
import re
import sys
import time

CLIENT_DIR, BASE_URL, MAIL_DIR, COORDINATOR, PASSWORD = sys.argv[1:6]
sys.path.insert(0, CLIENT_DIR)

# pylint: disable=wrong-import-position
from buddymatch_client import AuthenticatedClient, Client  # noqa: E402
from buddymatch_client.api.auth import (  # noqa: E402
    export_my_data,
    get_my_account,
    login,
    sign_up,
    verify_email,
)
from buddymatch_client.api.matches import (  # noqa: E402
    accept_match,
    decline_match,
    get_learning_record_entry,
    list_learning_record,
    list_my_matches,
    rate_match,
    record_meeting,
)
from buddymatch_client.api.members import list_members  # noqa: E402
from buddymatch_client.api.privacy import get_my_sharing, update_my_sharing  # noqa: E402
from buddymatch_client.api.programmes import list_programmes  # noqa: E402
from buddymatch_client.api.profile import (  # noqa: E402
    get_my_profile,
    list_topics,
    save_my_profile,
    update_my_profile,
)
from buddymatch_client.api.rounds import (  # noqa: E402
    create_round,
    get_round,
    list_rounds,
    preview_round,
    publish_round,
)
from buddymatch_client import models as m  # noqa: E402

CALLS = []


def call(name, fn, *args, status, model, **kwargs):
    """One operation through the generated client: the documented status,
    the typed model, and a lossless round trip back to the server's JSON."""
    res = fn(*args, **kwargs)
    code = int(res.status_code)
    raw = res.content.decode()
    assert code == status, f"{name}: {code}, expected {status}: {raw}"
    parsed = res.parsed
    if model is None:
        assert not raw, f"{name}: expected no body, got {raw}"
        CALLS.append(name)
        return None
    if isinstance(model, tuple):  # a list of models
        assert isinstance(parsed, list), f"{name}: {type(parsed)}"
        assert all(isinstance(x, model[0]) for x in parsed), f"{name}: {parsed!r:.300}"
        back = [x.to_dict() for x in parsed]
    else:
        assert isinstance(parsed, model), f"{name}: parsed {type(parsed).__name__}: {raw:.300}"
        back = parsed.to_dict()
    same(json.loads(raw), back, name)
    CALLS.append(name)
    return parsed


def same(sent, model, where):
    """The server's JSON and the model's to_dict() agree, field by field."""
    if isinstance(sent, dict):
        assert isinstance(model, dict), f"{where}: {model!r}"
        missing = sent.keys() - model.keys()
        extra = model.keys() - sent.keys()
        assert not missing, f"{where}: fields the typed model dropped: {sorted(missing)}"
        assert not extra, f"{where}: fields the typed model made up: {sorted(extra)}"
        for k in sent:
            same(sent[k], model[k], f"{where}.{k}")
    elif isinstance(sent, list):
        assert isinstance(model, list) and len(model) == len(sent), f"{where}: {model!r}"
        for i, (a, b) in enumerate(zip(sent, model)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(sent, str) and isinstance(model, str) and sent != model:
        # Date-times come back from the model as datetime.isoformat().
        t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
        assert t(sent) == t(model), f"{where}: {sent!r} became {model!r}"
    else:
        assert type(sent) is type(model) and sent == model, f"{where}: {sent!r} became {model!r}"


def verification_token(address):
    """The token of the link in the sign-up email in the mail folder."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in pathlib.Path(MAIL_DIR).glob("*.eml"):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if msg["To"] and address in str(msg["To"]):
                text = msg.get_body(("plain",)).get_content()
                found = re.search(r"/verify-email\?token=([A-Za-z0-9_-]+)", text)
                if found:
                    return found[1]
        time.sleep(0.1)
    raise AssertionError(f"no verification email to {address} in {MAIL_DIR}")


def session(address):
    anon = Client(base_url=BASE_URL, raise_on_unexpected_status=True)
    s = call("login", login.sync_detailed, client=anon, status=200, model=m.Session,
             body=m.LoginBody(email=address, password=PASSWORD))
    return AuthenticatedClient(base_url=BASE_URL, token=s.access_token,
                               raise_on_unexpected_status=True)


def member(address, name, domain, experience):
    """Sign up, verify through the emailed link, log in, save a profile."""
    anon = Client(base_url=BASE_URL, raise_on_unexpected_status=True)
    call("signUp", sign_up.sync_detailed, client=anon, status=202, model=m.SignUpAccepted,
         body=m.SignUp(email=address, password=PASSWORD, display_name=name,
                       locale=m.Locale.NL))
    user = call("verifyEmail", verify_email.sync_detailed, client=anon, status=200,
                model=m.User, body=m.VerifyEmailBody(token=verification_token(address)))
    assert user.email_verified
    me = session(address)
    call("getMyAccount", get_my_account.sync_detailed, client=me, status=200, model=m.User)
    profile = m.ProfileReplace(
        domain=domain,
        profession=m.Profession.LABOUR_EXPERT,
        experience=experience,
        registration=m.RegistrationStatus.REGISTERED,
        province=m.Province.UTRECHT,
        hours_per_month=6,
        max_travel_km=60,
        forms=[m.LearningForm.BUDDY],
        meeting_modes=[m.MeetingMode.ONLINE, m.MeetingMode.IN_PERSON],
        topics_wanted=[m.Topic.SOFT_SKILLS],
        topics_offered=[m.Topic.SOCIAL_SECURITY],
        learning_goal="Leren hoe andere domeinen re-integratie aanpakken.",
        sharing=m.SharingChoice(share_email=True, share_phone=False, share_province=True),
    )
    saved = call("saveMyProfile", save_my_profile.sync_detailed, client=me, status=200,
                 model=m.Profile, body=profile)
    assert saved.experience == experience, saved.experience
    call("getMyProfile", get_my_profile.sync_detailed, client=me, status=200, model=m.Profile)
    patched = call("updateMyProfile", update_my_profile.sync_detailed, client=me, status=200,
                   model=m.Profile, body=m.ProfileInput(hours_per_month=8))
    assert patched.hours_per_month == 8
    call("updateMySharing", update_my_sharing.sync_detailed, client=me, status=200,
         model=m.Sharing, body=m.SharingChoice(phone="+31 6 1234 5678", share_email=True,
                                               share_phone=True, share_province=True))
    call("getMySharing", get_my_sharing.sync_detailed, client=me, status=200, model=m.Sharing)
    return me


def main():
    anon = Client(base_url=BASE_URL, raise_on_unexpected_status=True)
    call("listTopics", list_topics.sync_detailed, client=anon, status=200,
         model=(m.TopicLabel,))

    # Member journey, first half: two members of different domains, one in
    # training (Experience as text) and one with years (as a number).
    anna = member("anna@uwv.nl", "Anna de Vries", m.Domain.UWV, 12)
    bram = member("bram@zzp.nl", "Bram Jansen", m.Domain.SELF_EMPLOYED,
                  m.ExperienceType0.IN_TRAINING)

    # Coordinator journey: members, a round, its preview, publish and detail.
    co = session(COORDINATOR)
    page = call("listMembers", list_members.sync_detailed, client=co, status=200,
                model=m.MemberPage)
    assert page.total >= 2, page
    call("listMembers(filtered)", list_members.sync_detailed, client=co, status=200,
         model=m.MemberPage, domain=m.Domain.UWV, per_page=10)
    # A round belongs to a programme the coordinator coordinates.
    programmes = call("listProgrammes", list_programmes.sync_detailed, client=co, status=200,
                      model=m.ProgrammePage)
    assert programmes.total >= 1, programmes
    draft = call("createRound", create_round.sync_detailed, client=co, status=201,
                 model=m.Round, body=m.RoundInput(
                     programme_id=programmes.items[0].id,
                     kind=m.MatchKind.BUDDY, note="Veel leerplezier!",
                     settings=m.RoundInputSettings(
                         prefer=m.Prefer.COVERAGE,
                         weights=m.RoundInputSettingsWeights(cross_domain=50))))
    call("listRounds", list_rounds.sync_detailed, client=co, status=200, model=m.RoundPage)
    preview = call("previewRound", preview_round.sync_detailed, draft.id, client=co,
                   status=200, model=m.RoundPreview)
    assert len(preview.result.pairs) == 1, preview.result
    published = call("publishRound", publish_round.sync_detailed, draft.id, client=co,
                     status=200, model=m.PublishedRound)
    assert published.matches == 1, published
    again = call("previewRound(published)", preview_round.sync_detailed, draft.id, client=co,
                 status=409, model=m.Problem)
    assert again.code == m.ErrorCode.ROUND_NOT_DRAFT, again.code
    call("getRound", get_round.sync_detailed, draft.id, client=co, status=200,
         model=m.RoundDetail)

    # Member journey, second half: the match, both accept, a meeting, a rating.
    mine = call("listMyMatches", list_my_matches.sync_detailed, client=anna, status=200,
                model=m.MyMatchPage)
    (match,) = mine.items
    assert match.counterparts[0].role == m.MatchRole.BUDDY
    call("acceptMatch", accept_match.sync_detailed, match.id, client=anna, status=200,
         model=m.MyMatch)
    call("acceptMatch", accept_match.sync_detailed, match.id, client=bram, status=200,
         model=m.MyMatch)
    twice = call("declineMatch(answered)", decline_match.sync_detailed, match.id, client=bram,
                 status=409, model=m.Problem, body=m.DeclineMatchBody())
    assert twice.code == m.ErrorCode.ALREADY_ANSWERED, twice.code
    # The service counts days as members do, in Amsterdam.
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Amsterdam")).date()
    meeting = call("recordMeeting", record_meeting.sync_detailed, match.id, client=anna,
                   status=201, model=m.Meeting, body=m.RecordMeetingBody(
                       date=today, hours=2,
                       reflection="Ik zag hoe een zelfstandige een werkgever adviseert."))
    call("listLearningRecord", list_learning_record.sync_detailed, client=anna, status=200,
         model=m.LearningRecordPage)
    call("getLearningRecordEntry", get_learning_record_entry.sync_detailed, meeting.id,
         client=anna, status=200, model=m.Meeting)
    call("rateMatch", rate_match.sync_detailed, match.id, client=anna, status=204, model=None,
         body=m.RateMatchBody(stars=5, comment="Leerzaam."))
    call("listMyMatches", list_my_matches.sync_detailed, client=bram, status=200,
         model=m.MyMatchPage)
    call("exportMyData", export_my_data.sync_detailed, client=anna, status=200,
         model=m.MyDataExport)
    call("getRound", get_round.sync_detailed, draft.id, client=co, status=200,
         model=m.RoundDetail)
    call("listRounds", list_rounds.sync_detailed, client=co, status=200, model=m.RoundPage)
    print(f"{len(CALLS)} calls, every answer parsed into its typed model")


if __name__ == "__main__":
    main()
