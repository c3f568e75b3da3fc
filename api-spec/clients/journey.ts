// A front end's view of the contract: openapi-fetch with the types that
// openapi-typescript generates from api-spec/openapi.yaml (as ./api). It must
// pass `tsc --noEmit --strict` with no casts, non-null assertions, `any` or
// ts-comments (tests/api/clients.rs checks both), so every field used below is
// typed exactly as the server sends it.
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Schemas = components["schemas"];
type Problem = Schemas["Problem"];

export function api(baseUrl: string, token?: string) {
  return createClient<paths>({
    baseUrl,
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
}

/** What a screen shows for a refused request: the stable code decides. */
export function explain(problem: Problem): string {
  switch (problem.code) {
    case "round_not_draft":
      return "Deze ronde is al gepubliceerd of geannuleerd.";
    case "already_answered":
      return "Je hebt al geantwoord.";
    case "validation_failed":
      return (problem.errors ?? []).map((e) => `${e.field}: ${e.message}`).join("\n");
    default:
      return problem.detail;
  }
}

export async function signUpAndLogIn(
  baseUrl: string,
  email: string,
  password: string,
): Promise<string> {
  const anon = api(baseUrl);
  const signUp = await anon.POST("/api/v1/auth/register", {
    body: { email, password, display_name: "Anna de Vries", locale: "nl" },
  });
  if (signUp.error) throw new Error(explain(signUp.error));
  const status: "verification_sent" = signUp.data.status;
  console.log(status, signUp.data.email);
  const session = await anon.POST("/api/v1/auth/login", { body: { email, password } });
  if (session.error) throw new Error(explain(session.error));
  const role: Schemas["Role"] = session.data.user.role;
  console.log(role, session.data.expires_in);
  return session.data.access_token;
}

export function experienceLabel(profile: Schemas["Profile"]): string {
  return typeof profile.experience === "number"
    ? `${profile.experience} jaar`
    : "in opleiding";
}

export async function myProfile(baseUrl: string, token: string): Promise<string> {
  const client = api(baseUrl, token);
  const saved = await client.PUT("/api/v1/me/profile", {
    body: {
      domain: "uwv",
      profession: "labour_expert",
      experience: "in_training",
      registration: "registered",
      province: "utrecht",
      hours_per_month: 6,
      max_travel_km: 60,
      sharing: { share_email: true, share_phone: false, share_province: true },
    },
  });
  if (saved.error) throw new Error(explain(saved.error));
  const patched = await client.PATCH("/api/v1/me/profile", { body: { hours_per_month: 8 } });
  if (patched.error) throw new Error(explain(patched.error));
  const topics: Schemas["Topic"][] = patched.data.topics_wanted;
  return `${experienceLabel(patched.data)}, ${patched.data.hours_per_month} uur, ${topics.length}`;
}

export async function myMatches(baseUrl: string, token: string): Promise<string[]> {
  const client = api(baseUrl, token);
  const page = await client.GET("/api/v1/me/matches", { params: { query: { page: 1 } } });
  if (page.error) throw new Error(explain(page.error));
  const lines: string[] = [];
  for (const match of page.data.items) {
    const round: number = match.round.number;
    for (const c of match.counterparts) {
      const role: Schemas["MatchRole"] = c.role;
      const answer: Schemas["MatchResponse"] = c.response;
      lines.push(`${round}: ${c.display_name} (${role}, ${answer}) ${c.email ?? "-"}`);
    }
    if (match.response === "pending") {
      const accepted = await client.POST("/api/v1/me/matches/{id}/accept", {
        params: { path: { id: match.id } },
      });
      if (accepted.error) throw new Error(explain(accepted.error));
      lines.push(accepted.data.response);
    }
  }
  return lines;
}

export async function runRound(baseUrl: string, token: string): Promise<string> {
  const client = api(baseUrl, token);
  const members = await client.GET("/api/v1/members", { params: { query: { domain: "uwv" } } });
  if (members.error) throw new Error(explain(members.error));
  const names = members.data.items.map((m) => `${m.display_name}: ${m.profile.province}`);
  // A round belongs to a programme the coordinator coordinates.
  const programmes = await client.GET("/api/v1/programmes", { params: { query: { page: 1 } } });
  if (programmes.error) throw new Error(explain(programmes.error));
  const programme = programmes.data.items[0];
  if (programme === undefined) throw new Error("the coordinator coordinates no programme");
  const created = await client.POST("/api/v1/rounds", {
    body: {
      programme_id: programme.id,
      kind: "buddy",
      cohort: { provinces: ["utrecht"] },
      settings: { prefer: "coverage" },
    },
  });
  if (created.error) throw new Error(explain(created.error));
  const id: string = created.data.id;
  const cohort: Schemas["Province"][] = created.data.cohort.provinces;
  const preview = await client.POST("/api/v1/rounds/{id}/preview", {
    params: { path: { id } },
  });
  if (preview.error) throw new Error(explain(preview.error));
  const result = preview.data.result;
  const pairs = (result.pairs ?? []).map(
    (p) => `${preview.data.names[p.a]} + ${preview.data.names[p.b]}: ${p.score}`,
  );
  const unmatched = result.unmatched.map((u) => `${u.member}: ${u.reason}`);
  const published = await client.POST("/api/v1/rounds/{id}/publish", {
    params: { path: { id } },
  });
  if (published.error) throw new Error(explain(published.error));
  const share: number = published.data.metrics.cross_domain_share;
  const detail = await client.GET("/api/v1/rounds/{id}", { params: { path: { id } } });
  if (detail.error) throw new Error(explain(detail.error));
  const replyBy: string | null = detail.data.round.reply_by;
  const mean: number | null = detail.data.ratings.mean;
  return [
    ...names,
    ...pairs,
    ...unmatched,
    `${cohort.join(", ")} ${share} ${replyBy ?? "-"} ${mean ?? "-"}`,
  ].join("\n");
}
