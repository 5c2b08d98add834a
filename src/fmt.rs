//! fmt: AST back to canonical text. Reads the [`ast`](crate::ast) (and, for
//! comments and blank lines, the source text); must not touch the grammar,
//! the parser's internals or any later stage (check, lower, eval).
//!
//! The canonical layout:
//!
//! - the header as `policy "Name" version V`, then each setting on its own
//!   line indented two spaces: effective, owner, jurisdiction, timezone,
//!   default, conflicts, priorities;
//! - one blank line between top-level items, whatever the author left;
//! - sections as `ownership {` … `}` with one clause per line indented two
//!   spaces (`name: clause` when labelled), an empty section as `ownership {}`;
//! - a clause's modifiers in the order when, unless, then, because, advise,
//!   oblige, note, consequence, see, priority, dry run, each on a continuation line indented two more
//!   spaces; a clause with exactly one modifier keeps it on its own line when
//!   the line fits in [`WIDTH`] columns and no comment stands before the modifier;
//! - a covenant's first line `covenant label: kind of … for …`, then lookback,
//!   radius, capacities, garden leave offset, applies to, each `except`, then modifiers,
//!   each on a continuation line;
//! - `rule NAME "desc" {` and `exception NAME to A, B "desc" {`, one modifier
//!   per line indented two spaces, `}`;
//! - conditions with minimal parentheses (`not` over `and` over `or`), the
//!   author's own parentheses kept; `{a, b}` sets; strings re-escaped; dates
//!   ISO, timestamps in UTC; a section on every channel prints no `on`.
//!
//! Comments: a comment on its own line is printed on its own line before the
//! clause, modifier, setting or item that follows it in the source, at that
//! line's indentation (before the closing `}` if nothing in the block follows,
//! at the end of the file if nothing follows at all). A trailing comment ends
//! the printed line of the construct it trails: the outermost clause, rule,
//! item, modifier, setting or `}` that starts on its source line and ends right
//! before it, so that after a one-line clause or rule now printed over several
//! lines it ends the first of them (without the source text, as in [`print()`],
//! the last construct that starts before it). If two comments trail one printed
//! line, the earlier ones move onto their own lines just above it.
//! Blank lines: exactly one between top-level items; elsewhere at most one,
//! kept where the author had one between clauses of a section, modifiers of a
//! rule, or comments; never right after `{` or before `}`.

mod expr;
mod layout;
mod node;
mod trivia;

pub use layout::WIDTH;
pub use trivia::{comments, Comment};

use crate::ast::PolicyFile;
use crate::parser::{parse, ParseErrors};
use crate::source::SourceFile;

/// Parses `file` and prints it canonically, keeping its comments and the blank
/// lines the author left between clauses.
pub fn format_policy(file: &SourceFile) -> Result<String, ParseErrors> {
    let ast = parse(file)?;
    let found = comments(&file.text);
    Ok(layout::print(&ast, &found, Some(&file.text)))
}

/// Prints `ast` canonically with `comments` (as found by [`comments`] in the
/// text `ast` was parsed from) placed by their spans. Without the source text,
/// blank lines inside sections are not kept and a trailing comment goes to the
/// last construct that starts before it; see [`print_with_source`].
pub fn print(ast: &PolicyFile, comments: &[Comment]) -> String {
    layout::print(ast, comments, None)
}

/// Like [`print()`], using `source` (the text `ast` and `comments` come from) to
/// keep the author's blank lines and to find the construct a trailing comment
/// trails. `format_policy` is `parse` followed by this.
pub fn print_with_source(ast: &PolicyFile, comments: &[Comment], source: &str) -> String {
    layout::print(ast, comments, Some(source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Item;
    use crate::parser::{PolicyParser, Rule};
    use pest::Parser as _;
    use std::collections::BTreeSet;

    fn src(text: &str) -> SourceFile {
        SourceFile::new("test.policy", text)
    }

    /// The AST's shape without its spans. `PartialEq` on the AST is meant to
    /// ignore spans, but `Header::span`, `Clause::span`, `CovenantException::span`,
    /// and `Modifiers::dry_run` are bare
    /// [`Span`](crate::source::Span)s that the derived equality compares.
    fn shape(ast: &PolicyFile) -> String {
        shape_str(&format!("{ast:?}"))
    }

    /// A `Debug` text with every `Span { start: .., end: .. }` blanked.
    fn shape_str(debug: &str) -> String {
        let mut out = String::with_capacity(debug.len());
        let mut rest = debug;
        while let Some(i) = rest.find("Span { start: ") {
            out.push_str(rest.get(..i).unwrap());
            out.push_str("Span");
            rest = rest.get(i..).unwrap();
            let close = rest.find('}').unwrap();
            rest = rest.get(close + 1..).unwrap();
        }
        out.push_str(rest);
        out
    }

    /// Formats `text`, checking on the way that the meaning is unchanged, that
    /// formatting again changes nothing and that every comment survives.
    fn fmt(text: &str) -> String {
        let out = match format_policy(&src(text)) {
            Ok(out) => out,
            Err(e) => panic!("input does not parse: {e:?}"),
        };
        let before = parse(&src(text)).unwrap();
        let after = match parse(&src(&out)) {
            Ok(ast) => ast,
            Err(e) => panic!("output does not parse: {e:?}\n{out}"),
        };
        assert_eq!(shape(&before), shape(&after), "formatting changed the meaning:\n{out}");
        let again = format_policy(&src(&out)).unwrap();
        assert_eq!(again, out, "formatting is not idempotent");
        let mut texts_in: Vec<String> = comments(text).into_iter().map(|c| c.text).collect();
        let mut texts_out: Vec<String> = comments(&out).into_iter().map(|c| c.text).collect();
        texts_in.sort();
        texts_out.sort();
        assert_eq!(texts_in, texts_out, "comments lost or split:\n{out}");
        out
    }

    const MESSY: &str = r#"# Brightwater social media policy
    # Owned by compliance.
policy "Brightwater Recruitment — social media"   default allow
     effective 2026-01-01 version 3   jurisdiction UK # UK law applies
  owner "Compliance"     timezone "Europe/London"



roles marketing, manager,consultant
channels twitter , linkedin,youtube
content kinds job_ad,industry, brand
fact mentions_competitor : bool "Whether the post names a competitor."

ownership { connections made before employment -> employee
   connections with clients made during employment -> agency   # the big one
        contacts from agency_database->agency
branded accounts -> agency }
on departure { hand over branded accounts within 1 business day remove connections owned by agency within 30 days because "Client data belongs to the agency." }
covenant cns: non_solicitation of clients for 3 months lookback 12 months # twelve, not six
  except announcement "A general announcement of a new role is not solicitation." garden leave offset
posting on twitter {
  # volume


  daily: limit 10 posts per day because "Quality over volume."
     at most 30% job_ad posts per week advise "Engage, don't only broadcast jobs."



  # confidentiality
  forbid client names forbid candidate data because "GDPR" then deny # never
  # nothing after this
}   # end of twitter
posting on youtube { require approval from marketing for brand }
connecting on linkedin {
  forbid invitations to clients while on_notice
    because "Hays v Ions: inviting clients while setting up a competitor."
  require interaction before invitation }
rule no-candidate-data "Never publish candidates' personal data." { when content.candidate_personal_data   then deny }
rule competitor-mentions {
  # who may mention competitors
  when facts.mentions_competitor and ((actor.role = consultant) or actor.role=manager)

  then require approval from marketing dry run # rolling out
}
terms {}
# end of policy
"#;

    #[test]
    fn messy_policy_formats_canonically() {
        let out = fmt(MESSY);
        insta::assert_snapshot!(out, @r###"
# Brightwater social media policy
# Owned by compliance.
policy "Brightwater Recruitment — social media" version 3
  effective 2026-01-01
  owner "Compliance"
  jurisdiction UK # UK law applies
  timezone "Europe/London"
  default allow

roles marketing, manager, consultant

channels twitter, linkedin, youtube

content kinds job_ad, industry, brand

fact mentions_competitor: bool "Whether the post names a competitor."

ownership {
  connections made before employment -> employee
  connections made during employment with clients -> agency # the big one
  contacts from agency_database -> agency
  branded accounts -> agency
}

on departure {
  hand over branded accounts within 1 business day
  remove connections owned by agency within 30 days because "Client data belongs to the agency."
}

covenant cns: non_solicitation of clients for 3 months
  lookback 12 months # twelve, not six
  garden leave offset
  except announcement "A general announcement of a new role is not solicitation."

posting on twitter {
  # volume

  daily: limit 10 posts per day because "Quality over volume."
  at most 30% job_ad posts per week advise "Engage, don't only broadcast jobs."

  # confidentiality
  forbid client names
  forbid candidate data # never
    then deny
    because "GDPR"
  # nothing after this
} # end of twitter

posting on youtube {
  require approval from marketing for brand
}

connecting on linkedin {
  forbid invitations to clients while on_notice
    because "Hays v Ions: inviting clients while setting up a competitor."
  require interaction before invitation
}

rule no-candidate-data "Never publish candidates' personal data." {
  when content.candidate_personal_data
  then deny
}

rule competitor-mentions {
  # who may mention competitors
  when facts.mentions_competitor and ((actor.role = consultant) or actor.role = manager)

  then require approval from marketing
  dry run # rolling out
}

terms {}
# end of policy
"###);
    }

    #[test]
    fn comments_stay_with_their_constructs() {
        let out = fmt(r#"policy "X" # after the name
  version # after a keyword
  3
posting on # after on
  twitter { forbid viral # first clause
  when # after when
    a and # inside a condition
    # own line inside a condition
    b
  then
    deny # after deny
  because "x # not a comment" # after because
  # before the closing brace
}
covenant non_compete # inside the head
  for 3 months # after the head
  # before lookback
  lookback 12 months # after lookback
rule r "d" { when a then deny } # after a one-line rule
rule s { } # after an empty rule
terms { # after an opening brace
}
# at the end
"#);
        insta::assert_snapshot!(out, @r###"
# after the name
policy "X" version 3 # after a keyword

posting on twitter { # after on
  # first clause
  forbid viral # after when
    when a and b # inside a condition
    # own line inside a condition
    then deny # after deny
    because "x # not a comment" # after because
  # before the closing brace
}

# inside the head
covenant non_compete for 3 months # after the head
  # before lookback
  lookback 12 months # after lookback

rule r "d" { # after a one-line rule
  when a
  then deny
}

rule s {} # after an empty rule

terms {} # after an opening brace
# at the end
"###);
    }

    #[test]
    fn blank_lines_collapse_between_items_and_stay_between_clauses() {
        let out = fmt("\n\n# top\n\n\npolicy \"X\"\nroles a\n\n\n\nteams b\nposting {\n\n  forbid x1\n\n\n  forbid x2\n  forbid x3\n\n}\nrule r {\n  when a\n\n  then deny\n}\n\n\n# end\n\n");
        insta::assert_snapshot!(out, @r###"
# top

policy "X"

roles a

teams b

posting {
  forbid x1

  forbid x2
  forbid x3
}

rule r {
  when a

  then deny
}

# end
"###);
    }

    #[test]
    fn print_without_source_keeps_comments_but_not_inner_blank_lines() {
        let text = "policy \"X\"\nposting {\n  # one\n  forbid x1\n\n  forbid x2 # two\n}\n";
        let ast = parse(&src(text)).unwrap();
        let out = print(&ast, &comments(text));
        insta::assert_snapshot!(out, @r###"
policy "X"

posting {
  # one
  forbid x1
  forbid x2 # two
}
"###);
        assert_eq!(print_with_source(&ast, &comments(text), text), format_policy(&src(text)).unwrap());
    }

    #[test]
    fn one_modifier_stays_on_the_line_only_when_it_fits() {
        let out = fmt(r#"policy "X"
posting {
  limit 10 posts per day because "Short."
  limit 11 posts per day because "A rationale long enough that the clause no longer fits on one line of a hundred."
  limit 12 posts per day
    # about the rationale
    because "Short, but with a comment before it."
}
"#);
        insta::assert_snapshot!(out, @r###"
policy "X"

posting {
  limit 10 posts per day because "Short."
  limit 11 posts per day
    because "A rationale long enough that the clause no longer fits on one line of a hundred."
  limit 12 posts per day
    # about the rationale
    because "Short, but with a comment before it."
}
"###);
    }

    #[test]
    fn parse_errors_are_returned() {
        assert!(format_policy(&src("policy \"X\"\nposting {")).is_err());
    }

    /// Every rule of the grammar, every header setting, declaration kind, fact
    /// type, asset form and filter, departure duty, covenant item, section scope,
    /// posting, connecting and terms clause, modifier and operator.
    const EVERY: &str = r###"policy "Every construct" version 3.1 effective 2026-01-01 owner "Compliance team"
  jurisdiction US-CA timezone "Europe/London" default none conflicts indeterminate priorities legal > brand
  binds at_contract previous "every-construct-v3.policy"

roles consultant, manager, marketing, compliance
teams recruiting, sales
channels twitter, linkedin, youtube
content kinds job_ad, industry, brand, video, announcement
actions solicit, message
fact mentions_competitor: bool "Whether the post names a competitor."
fact follower_count: int
fact joined_on: date
fact note_text: text "Free text."
fact seniority: enum {junior, senior}
assume facts.mentions_competitor = false when not given "A post names a competitor only when the tool says so."
assume content.conduct = {} when not given
brand names {"Brightwater", "BW Recruit"}

ownership {
  before: connections made before employment -> employee
  connections made during employment with clients, candidates from agency_database owned by agency -> agency
  contacts with colleagues -> shared
  branded accounts created by agency run as duty on agency equipment with brand in handle for business -> agency
  accounts -> employee
  credentials -> agency because "Passwords are the agency's."
  videos made during employment made for agency on agency equipment created by employee -> agency
  content made before employment made privately -> employee
}

on departure {
  hand over branded accounts within 1 business day
  hand over credentials
  hand over recruiting material within 2 days
  no export of group member lists owned by agency
  remove connections owned by agency within 30 days
  remove personal accounts
  update profile within 7 days
  update profile
  keep personal accounts
  no export of contacts from agency_database when actor.status = departed
}

covenant client-nonsolicit: non_solicitation of clients, candidates for 6 months
  lookback 12 months radius 5 miles capacities engaged_in, interested_in garden leave offset applies to solicit, message
  except announcement, industry "A general announcement is not solicitation."
  except when target.last_dealt_with is missing
  except when target.first_contact < actor.departed_on - 12 months "Old contacts."
  when actor.status in {departed, garden_leave} unless facts.mentions_competitor
  because "Protect client relationships." dry run

covenant non_compete for 3 months reduced by garden leave

rule r-after-covenant { then allow }

covenant non_dealing of clients for 2 weeks
covenant non_poaching of staff for 12 months

covenant non_solicitation of candidates indefinitely

rule hours {
  when at.time_of_day >= 09:00 and device = agency
  then deny
  consequence "A warning."
  see "Handbook"
  see "Code"
}

posting on twitter, linkedin for team recruiting, sales by role consultant, manager {
  daily: limit 10 posts per day because "Quality over volume."
  limit 12 job_ad posts per week
  limit 3 posts per rolling day
  limit 4 brand posts per rolling 7 days per channel excluding shares
  at most 30% job_ad posts per week advise "Engage, don't only broadcast jobs."
  forbid brand, video
  only job_ad, industry, announcement
  require approval from marketing or compliance for brand, video
  require approval from manager
  require approval from all of {marketing,compliance}  for announcement
  require disclosure oblige "Say you work for us" within 1 day
  require disclosure   before  posting when content.kind has video
  require   disclaimer
  forbid client names
  forbid candidate data then deny note "UK GDPR art. 5"
  forbid confidential
  forbid   conduct offensive,about_employer
  default require approval from marketing
}

posting on other channels {
  default deny
}

posting on any channel for team sales {
  default advise "Think before you post."
}

posting by role marketing {
  default advise
}

connecting on linkedin {
  require interaction before invitation
  require interaction before invitations
  limit 100 invitations per week
  limit 300 invitations per month per channel
  forbid invitations to clients, candidates while on_notice, garden_leave
  forbid invitations
  default allow
}

connecting {}

terms {
  non_compete at most 3 months
  non_solicitation of clients at most 6 months
  no non_poaching
  no non_dealing of candidates
  lookback at most 12 months
  radius at most 10 miles
  require garden leave offset
  require connections_before_employment -> employee
  forbid monitoring of personal accounts
}

rule every-modifier "All modifiers at once." {
  when history.posts_today >= 10 and not content.confidential or (content.kind has job_ad and actor.role != manager)
  unless actor.departed_on + 6 months - 1 day <= 2026-03-14
  unless action.at > 2026-03-14T10:05:00Z and action.at < 2026-03-14T10:05+01:00 and content.share = 30%
  unless actor.status not in {on_notice, garden_leave} or target.last_dealt_with is present
  unless facts.follower_count = 1000 and facts.note_text = "a \"quoted\" \\ text\nnext" and facts.flag = true
  unless not not (facts.x = false) and actor.tenure >= 3 months and content.kind in {}
  then require approval from manager or compliance
  because "Rationale."
  advise "First advice."
  advise "Second advice."
  oblige "Disclose your employment in the post" within 1 day
  oblige "Correct the post" as correct_it within 1 business day of request.made_on
  oblige "Tell compliance"
  note "Hays v Ions [2008] EWHC 745 (Ch)."
  note "A second note."
  priority legal
  dry run
}

rule advise-only { when actor.role = consultant then advise "Be careful." }

rule advise-bare {
  when actor.role <= manager
  then advise
  advise "Extra."
}

rule empty {}

rule brand-texts {
  when account.handle_at_departure contains a brand name or content.text contains {"bw", "Straße"}
    or account.display_name contains "Recruit"
  then deny
}

exception announcements to client-nonsolicit, daily, every-modifier "Announcements are fine." {
  when content.kind has announcement
  then allow
}
"###;

    #[test]
    fn every_construct_round_trips() {
        let out = fmt(EVERY);
        insta::assert_snapshot!(out, @r###"
policy "Every construct" version 3.1
  effective 2026-01-01
  owner "Compliance team"
  jurisdiction US-CA
  timezone "Europe/London"
  default none
  conflicts indeterminate
  priorities legal > brand
  binds at_contract
  previous "every-construct-v3.policy"

roles consultant, manager, marketing, compliance

teams recruiting, sales

channels twitter, linkedin, youtube

content kinds job_ad, industry, brand, video, announcement

actions solicit, message

fact mentions_competitor: bool "Whether the post names a competitor."

fact follower_count: int

fact joined_on: date

fact note_text: text "Free text."

fact seniority: enum {junior, senior}

assume facts.mentions_competitor = false when not given "A post names a competitor only when the tool says so."

assume content.conduct = {} when not given

brand names {"Brightwater", "BW Recruit"}

ownership {
  before: connections made before employment -> employee
  connections made during employment with clients, candidates from agency_database owned by agency -> agency
  contacts with colleagues -> shared
  branded accounts created by agency run as duty on agency equipment with brand in handle for business -> agency
  accounts -> employee
  credentials -> agency because "Passwords are the agency's."
  videos made during employment made for agency on agency equipment created by employee -> agency
  content made before employment made privately -> employee
}

on departure {
  hand over branded accounts within 1 business day
  hand over credentials
  hand over recruiting material within 2 days
  no export of group member lists owned by agency
  remove connections owned by agency within 30 days
  remove personal accounts
  update profile within 7 days
  update profile
  keep personal accounts
  no export of contacts from agency_database when actor.status = departed
}

covenant client-nonsolicit: non_solicitation of clients, candidates for 6 months
  lookback 12 months
  radius 5 miles
  capacities engaged_in, interested_in
  garden leave offset
  applies to solicit, message
  except announcement, industry "A general announcement is not solicitation."
  except when target.last_dealt_with is missing
  except when target.first_contact < actor.departed_on - 12 months "Old contacts."
  when actor.status in {departed, garden_leave}
  unless facts.mentions_competitor
  because "Protect client relationships."
  dry run

covenant non_compete for 3 months
  reduced by garden leave

rule r-after-covenant {
  then allow
}

covenant non_dealing of clients for 2 weeks

covenant non_poaching of staff for 12 months

covenant non_solicitation of candidates indefinitely

rule hours {
  when at.time_of_day >= 09:00 and device = agency
  then deny
  consequence "A warning."
  see "Handbook"
  see "Code"
}

posting on twitter, linkedin for team recruiting, sales by role consultant, manager {
  daily: limit 10 posts per day because "Quality over volume."
  limit 12 job_ad posts per week
  limit 3 posts per rolling day
  limit 4 brand posts per rolling 7 days per channel excluding shares
  at most 30% job_ad posts per week advise "Engage, don't only broadcast jobs."
  forbid brand, video
  only job_ad, industry, announcement
  require approval from marketing or compliance for brand, video
  require approval from manager
  require approval from all of {marketing, compliance} for announcement
  require disclosure oblige "Say you work for us" within 1 day
  require disclosure before posting when content.kind has video
  require disclaimer
  forbid client names
  forbid candidate data
    then deny
    note "UK GDPR art. 5"
  forbid confidential
  forbid conduct offensive, about_employer
  default require approval from marketing
}

posting on other channels {
  default deny
}

posting for team sales {
  default advise "Think before you post."
}

posting by role marketing {
  default advise
}

connecting on linkedin {
  require interaction before invitation
  require interaction before invitation
  limit 100 invitations per week
  limit 300 invitations per month per channel
  forbid invitations to clients, candidates while on_notice, garden_leave
  forbid invitations
  default allow
}

connecting {}

terms {
  non_compete at most 3 months
  non_solicitation of clients at most 6 months
  no non_poaching
  no non_dealing of candidates
  lookback at most 12 months
  radius at most 10 miles
  require garden leave offset
  require connections_before_employment -> employee
  forbid monitoring of personal accounts
}

rule every-modifier "All modifiers at once." {
  when history.posts_today >= 10 and not content.confidential
    or (content.kind has job_ad and actor.role != manager)
  unless actor.departed_on + 6 months - 1 day <= 2026-03-14
  unless action.at > 2026-03-14T10:05:00Z
    and action.at < 2026-03-14T09:05:00Z
    and content.share = 30%
  unless actor.status not in {on_notice, garden_leave} or target.last_dealt_with is present
  unless facts.follower_count = 1000
    and facts.note_text = "a \"quoted\" \\ text\nnext"
    and facts.flag = true
  unless not not (facts.x = false) and actor.tenure >= 3 months and content.kind in {}
  then require approval from manager or compliance
  because "Rationale."
  advise "First advice."
  advise "Second advice."
  oblige "Disclose your employment in the post" within 1 day
  oblige "Correct the post" as correct_it within 1 business day of request.made_on
  oblige "Tell compliance"
  note "Hays v Ions [2008] EWHC 745 (Ch)."
  note "A second note."
  priority legal
  dry run
}

rule advise-only {
  when actor.role = consultant
  then advise "Be careful."
}

rule advise-bare {
  when actor.role <= manager
  then advise
  advise "Extra."
}

rule empty {}

rule brand-texts {
  when account.handle_at_departure contains a brand name
    or content.text contains {"bw", "Straße"}
    or account.display_name contains "Recruit"
  then deny
}

exception announcements to client-nonsolicit, daily, every-modifier "Announcements are fine." {
  when content.kind has announcement
  then allow
}
"###);
    }

    /// Rules that never produce a pair of their own: silent rules, and `keyword`
    /// (only used in a negative lookahead).
    const NO_PAIR: &[Rule] = &[
        Rule::WHITESPACE,
        Rule::blank,
        Rule::comment,
        Rule::kw_end,
        Rule::keyword,
        Rule::prefix_op,
        Rule::infix_op,
        Rule::primary,
        Rule::compare_tail,
        Rule::value,
        Rule::modifier,
        Rule::header_item,
        Rule::default_value,
        Rule::connection_filter,
        Rule::account_filter,
        Rule::material_filter,
        Rule::departure_duty,
        Rule::covenant_item,
        Rule::posting_rule,
        Rule::connecting_rule,
        Rule::terms_rule,
        Rule::item,
    ];

    #[test]
    fn every_construct_policy_uses_every_grammar_rule() {
        let pairs = PolicyParser::parse(Rule::policy_file, EVERY).unwrap();
        let used: BTreeSet<String> = pairs.flatten().map(|p| format!("{:?}", p.as_rule())).collect();
        let missing: Vec<String> = Rule::all_rules()
            .iter()
            .filter(|r| !NO_PAIR.contains(r))
            .map(|r| format!("{r:?}"))
            .filter(|r| !used.contains(r))
            .collect();
        assert!(missing.is_empty(), "rules not exercised: {missing:?}");
    }

    /// Random ASTs of every kind of item, printed without comments, must parse
    /// back to the same AST and be left unchanged by formatting.
    mod gen {
        use crate::ast::*;
        use crate::source::{Span, Spanned};
        use crate::value::{Duration, TimeUnit};
        use proptest::collection::vec;
        use proptest::option::of;
        use proptest::prelude::*;

        pub fn sp<T>(node: T) -> Spanned<T> {
            Spanned::new(node, Span::default())
        }

        /// Names ending in a digit can be no keyword nor any contextual word.
        pub fn name() -> impl Strategy<Value = Name> {
            "[a-z][a-z_]{0,5}[0-9]".prop_map(sp)
        }

        fn names(min: usize, max: usize) -> impl Strategy<Value = Vec<Name>> {
            vec(name(), min..=max)
        }

        /// `from a or b` or `from all of {a, b}`.
        fn join() -> impl Strategy<Value = Join> {
            prop_oneof![Just(Join::Any), Just(Join::All)]
        }

        /// Clause and rule names: may hold hyphens.
        fn label() -> impl Strategy<Value = Name> {
            "l[a-z0-9_-]{0,6}".prop_map(sp)
        }

        pub fn text() -> impl Strategy<Value = String> {
            "[a-zA-Z0-9 #{}()\"\\\\\n\t\u{e9}\u{20ac}]{0,12}"
        }

        fn duration() -> impl Strategy<Value = Duration> {
            let unit = prop_oneof![
                Just(TimeUnit::Hour),
                Just(TimeUnit::Day),
                Just(TimeUnit::BusinessDay),
                Just(TimeUnit::Week),
                Just(TimeUnit::Month)
            ];
            (any::<u32>(), unit).prop_map(|(n, u)| Duration::new(n % 1000, u))
        }

        fn date() -> impl Strategy<Value = jiff::civil::Date> {
            (1000i16..=9999, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| jiff::civil::date(y, m, d))
        }

        fn literal() -> BoxedStrategy<Literal> {
            prop_oneof![
                any::<bool>().prop_map(Literal::Bool),
                (0i64..=i64::MAX).prop_map(Literal::Int),
                (0i64..1000).prop_map(Literal::Percent),
                (0u16..crate::value::MINUTES_PER_DAY).prop_map(Literal::TimeOfDay),
                date().prop_map(Literal::Date),
                (0i64..4_000_000_000).prop_map(|s| Literal::Timestamp(jiff::Timestamp::from_second(s).unwrap())),
                duration().prop_map(Literal::Duration),
                text().prop_map(Literal::Text),
                vec("[a-z_][a-z_]{0,4}[0-9]", 1..=3).prop_map(|p| Literal::Path(p.join("."))),
            ]
            .boxed()
        }

        fn operand() -> BoxedStrategy<Operand> {
            let shift = (any::<bool>(), duration()).prop_map(|(forward, d)| Shift { forward, by: sp(d) });
            (literal(), vec(shift, 0..=2)).prop_map(|(l, shifts)| Operand { base: sp(l), shifts }).boxed()
        }

        fn comparison() -> BoxedStrategy<Expr> {
            let op = prop_oneof![
                Just(CmpOp::Eq),
                Just(CmpOp::Ne),
                Just(CmpOp::Lt),
                Just(CmpOp::Le),
                Just(CmpOp::Gt),
                Just(CmpOp::Ge)
            ];
            prop_oneof![
                (operand(), op, operand()).prop_map(|(lhs, op, rhs)| Expr::Compare { lhs, op: sp(op), rhs }),
                (operand(), any::<bool>(), vec(literal().prop_map(sp), 0..=3))
                    .prop_map(|(lhs, negated, set)| Expr::In { lhs, negated, set }),
                (operand(), operand()).prop_map(|(lhs, rhs)| Expr::Has { lhs, rhs }),
                (operand(), any::<bool>()).prop_map(|(operand, missing)| Expr::Presence { operand, missing }),
                (operand(), of(vec(text().prop_map(sp), 1..=3))).prop_map(|(lhs, texts)| Expr::Contains {
                    lhs,
                    needles: texts.map_or(Needles::Brands, Needles::Texts)
                }),
                operand().prop_map(Expr::Truthy),
            ]
            .boxed()
        }

        fn bx(e: Expr) -> Box<Spanned<Expr>> {
            Box::new(sp(e))
        }

        /// 0 for `or`, 1 for `and`, 2 for `not`, 3 for the rest.
        fn level(e: &Expr) -> u8 {
            match e {
                Expr::Or(..) => 0,
                Expr::And(..) => 1,
                Expr::Not(_) => 2,
                _ => 3,
            }
        }

        fn group_below(e: Expr, min: u8) -> Expr {
            if level(&e) < min {
                Expr::Group(bx(e))
            } else {
                e
            }
        }

        /// The AST the parser would build for the printed text: parentheses
        /// (groups) wherever precedence and left-associativity require them.
        fn canonical(e: Expr) -> Expr {
            match e {
                Expr::Or(l, r) => Expr::Or(bx(canonical(l.node)), bx(group_below(canonical(r.node), 1))),
                Expr::And(l, r) => {
                    Expr::And(bx(group_below(canonical(l.node), 1)), bx(group_below(canonical(r.node), 2)))
                }
                Expr::Not(x) => Expr::Not(bx(group_below(canonical(x.node), 2))),
                Expr::Group(x) => Expr::Group(bx(canonical(x.node))),
                other => other,
            }
        }

        pub fn expr() -> BoxedStrategy<Expr> {
            comparison()
                .prop_recursive(4, 24, 2, |inner| {
                    prop_oneof![
                        (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::And(bx(a), bx(b))),
                        (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::Or(bx(a), bx(b))),
                        inner.clone().prop_map(|a| Expr::Not(bx(a))),
                        inner.prop_map(|a| Expr::Group(bx(a))),
                    ]
                })
                .prop_map(canonical)
                .boxed()
        }

        fn outcome() -> BoxedStrategy<Outcome> {
            prop_oneof![
                Just(Outcome::Deny),
                Just(Outcome::Allow),
                (names(1, 3), join()).prop_map(|(roles, join)| Outcome::RequireApproval(roles, join)),
                of(text().prop_map(sp)).prop_map(Outcome::Advise),
            ]
            .boxed()
        }

        fn modifiers() -> BoxedStrategy<Modifiers> {
            let event = prop_oneof![Just("request.made_on".to_string()), Just("facts.error_found_on".to_string())];
            let obligation = (text(), of(name()), of((duration(), of(event)))).prop_map(|(t, k, w)| Obligation {
                text: sp(t),
                key: k,
                within: w.as_ref().map(|(d, _)| sp(*d)),
                of: w.and_then(|(_, e)| e).map(sp),
            });
            (
                of(expr().prop_map(sp)),
                vec(expr().prop_map(sp), 0..=1),
                of(outcome().prop_map(sp)),
                of(text().prop_map(sp)),
                vec(text().prop_map(sp), 0..=1),
                vec(obligation, 0..=1),
                vec(text().prop_map(sp), 0..=1),
                (of(text().prop_map(sp)), vec(text().prop_map(sp), 0..=2), any::<bool>(), of(name())),
            )
                .prop_map(|(when, unless, then, because, advise, oblige, notes, (consequence, see, dry, priority))| {
                    Modifiers {
                        when,
                        unless,
                        then,
                        because,
                        advise,
                        oblige,
                        notes,
                        consequence,
                        see,
                        priority,
                        dry_run: dry.then(Span::default),
                    }
                })
                .boxed()
        }

        /// Mostly few modifiers, as real clauses have.
        fn some_modifiers() -> BoxedStrategy<Modifiers> {
            prop_oneof![3 => Just(Modifiers::default()), 2 => modifiers()].boxed()
        }

        fn clause<T: std::fmt::Debug + Clone>(rule: impl Strategy<Value = T>) -> impl Strategy<Value = Clause<T>> {
            (of(label()), rule, some_modifiers()).prop_map(|(label, rule, modifiers)| Clause {
                label,
                rule: sp(rule),
                modifiers,
                span: Span::default(),
            })
        }

        fn party() -> impl Strategy<Value = Party> {
            prop_oneof![Just(Party::Employee), Just(Party::Agency), Just(Party::Shared)]
        }

        fn asset() -> BoxedStrategy<Asset> {
            let made = || prop_oneof![Just(Made::BeforeEmployment), Just(Made::DuringEmployment)];
            let kind = prop_oneof![Just("personal"), Just("branded"), Just("corporate"), Just("group")];
            prop_oneof![
                (any::<bool>(), of(made()), names(0, 2), of(name()), of(party())).prop_map(
                    |(contacts, made, with, from, owned_by)| {
                        let word = if contacts { ConnectionsWord::Contacts } else { ConnectionsWord::Connections };
                        Asset::Connections { word, made: made.map(sp), with, from, owned_by: owned_by.map(sp) }
                    }
                ),
                (of(kind), of(party()), any::<[bool; 3]>(), of(name())).prop_map(
                    |(kind, created_by, flags, purpose)| {
                        let [run_as_duty, agency_equipment, brand_in_handle] = flags;
                        Asset::Accounts {
                            kind: kind.map(|k| sp(k.to_string())),
                            created_by: created_by.map(sp),
                            run_as_duty,
                            agency_equipment,
                            brand_in_handle,
                            purpose,
                        }
                    }
                ),
                Just(Asset::Credentials),
                (
                    prop::sample::select(
                        std::iter::once(MaterialWord::Content)
                            .chain(MaterialKind::ALL.iter().map(|k| MaterialWord::Kind(*k)))
                            .collect::<Vec<_>>()
                    ),
                    of(made()),
                    of(prop_oneof![Just(MadeFor::Agency), Just(MadeFor::Privately)]),
                    any::<bool>(),
                    of(party()),
                    of(party()),
                )
                    .prop_map(|(word, made, made_for, agency_equipment, created_by, owned_by)| {
                        Asset::Material {
                            word,
                            made: made.map(sp),
                            made_for: made_for.map(sp),
                            agency_equipment,
                            created_by: created_by.map(sp),
                            owned_by: owned_by.map(sp),
                        }
                    }),
            ]
            .boxed()
        }

        fn departure_duty() -> BoxedStrategy<DepartureDuty> {
            let within = || of(duration().prop_map(sp));
            prop_oneof![
                (asset(), within()).prop_map(|(a, within)| DepartureDuty::HandOver { asset: sp(a), within }),
                (asset(), within()).prop_map(|(a, within)| DepartureDuty::Remove { asset: sp(a), within }),
                within().prop_map(|within| DepartureDuty::UpdateProfile { within }),
                asset().prop_map(|a| DepartureDuty::Keep { asset: sp(a) }),
                asset().prop_map(|a| DepartureDuty::NoExport { asset: sp(a) }),
            ]
            .boxed()
        }

        fn period() -> impl Strategy<Value = Spanned<Period>> {
            let words = crate::counter::PERIOD_WORDS.iter().map(|(_, p)| Just(*p)).collect::<Vec<_>>();
            prop_oneof![proptest::strategy::Union::new(words), (1u32..400).prop_map(Period::Rolling)].prop_map(sp)
        }

        fn posting_rule() -> BoxedStrategy<PostingRule> {
            let flag = prop_oneof![
                Just(ContentFlag::ClientNames),
                Just(ContentFlag::CandidateData),
                Just(ContentFlag::Confidential)
            ];
            prop_oneof![
                (any::<u32>(), of(name()), period(), any::<bool>(), any::<bool>()).prop_map(
                    |(m, kind, per, per_channel, excluding_shares)| PostingRule::Limit {
                        max: sp(m),
                        kind,
                        per,
                        per_channel,
                        excluding_shares
                    }
                ),
                (0u32..=100, name(), period()).prop_map(|(p, kind, per)| PostingRule::Share {
                    percent: sp(p),
                    kind,
                    per
                }),
                names(1, 3).prop_map(PostingRule::ForbidKinds),
                names(1, 3).prop_map(PostingRule::ForbidConduct),
                names(1, 3).prop_map(PostingRule::OnlyKinds),
                (names(1, 2), join(), names(0, 2)).prop_map(|(approvers, join, kinds)| PostingRule::RequireApproval {
                    approvers,
                    join,
                    kinds
                }),
                (any::<bool>(), any::<bool>()).prop_map(|(own_views, before)| {
                    let what = if own_views { Disclose::OwnViews } else { Disclose::Employer };
                    PostingRule::RequireDisclosure { what, before }
                }),
                flag.prop_map(PostingRule::ForbidFlag),
                outcome().prop_map(|o| PostingRule::Default(sp(o))),
            ]
            .boxed()
        }

        fn connecting_rule() -> BoxedStrategy<ConnectingRule> {
            prop_oneof![
                Just(ConnectingRule::RequireInteraction),
                (any::<u32>(), period(), any::<bool>()).prop_map(|(m, per, per_channel)| ConnectingRule::Limit {
                    max: sp(m),
                    per,
                    per_channel
                }),
                (names(0, 2), names(0, 2))
                    .prop_map(|(to, while_status)| ConnectingRule::ForbidInvitations { to, while_status }),
                outcome().prop_map(|o| ConnectingRule::Default(sp(o))),
            ]
            .boxed()
        }

        fn covenant_kind() -> impl Strategy<Value = Spanned<CovenantKind>> {
            proptest::sample::select(CovenantKind::ALL.to_vec()).prop_map(sp)
        }

        fn terms_rule() -> BoxedStrategy<TermsRule> {
            prop_oneof![
                (covenant_kind(), names(0, 2), duration()).prop_map(|(kind, of, d)| TermsRule::MaxCovenant {
                    kind,
                    of,
                    max: sp(d)
                }),
                (covenant_kind(), names(0, 2)).prop_map(|(kind, of)| TermsRule::NoCovenant { kind, of }),
                duration().prop_map(|d| TermsRule::MaxLookback(sp(d))),
                any::<u32>().prop_map(|n| TermsRule::MaxRadius(sp(n))),
                Just(TermsRule::RequireOffset),
                (name(), party()).prop_map(|(field, p)| TermsRule::RequireOwnership { field, owner: sp(p) }),
                Just(TermsRule::ForbidMonitoring),
            ]
            .boxed()
        }

        fn scope() -> BoxedStrategy<Scope> {
            let channels = prop_oneof![
                Just(ChannelScope::Any),
                Just(ChannelScope::Other),
                names(1, 2).prop_map(ChannelScope::Listed)
            ];
            (channels, names(0, 2), names(0, 2))
                .prop_map(|(c, teams, roles)| Scope { channels: sp(c), teams, roles })
                .boxed()
        }

        fn covenant() -> BoxedStrategy<Covenant> {
            let exception = (
                prop_oneof![
                    names(1, 2).prop_map(ExceptionTest::Kinds),
                    expr().prop_map(|e| ExceptionTest::When(sp(e)))
                ],
                of(text().prop_map(sp)),
            )
                .prop_map(|(test, text)| CovenantException { test, text, span: Span::default() });
            (
                (of(label()), covenant_kind(), names(0, 2), of(duration())),
                (
                    of(duration()),
                    of(any::<u32>()),
                    of(prop_oneof![Just(GardenLeave::RunsFrom), Just(GardenLeave::ReducedBy)]),
                    names(0, 2),
                    names(0, 3),
                ),
                vec(exception, 0..=2),
                some_modifiers(),
            )
                .prop_map(
                    |(
                        (label, kind, of, d),
                        (lookback, radius, offset, applies_to, capacities),
                        exceptions,
                        modifiers,
                    )| {
                        Covenant {
                            label,
                            kind,
                            of,
                            duration: sp(d),
                            lookback: lookback.map(sp),
                            radius: radius.map(sp),
                            garden_leave: offset.map(sp),
                            applies_to,
                            capacities,
                            exceptions,
                            modifiers,
                        }
                    },
                )
                .boxed()
        }

        fn item() -> BoxedStrategy<Item> {
            let decl = prop_oneof![
                Just(DeclKind::Roles),
                Just(DeclKind::Teams),
                Just(DeclKind::Channels),
                Just(DeclKind::ContentKinds),
                Just(DeclKind::Actions)
            ];
            let fact_type = prop_oneof![
                Just(FactType::Bool),
                Just(FactType::Int),
                Just(FactType::Date),
                Just(FactType::Text),
                names(1, 3).prop_map(FactType::Enum)
            ];
            prop_oneof![
                (decl, names(1, 3)).prop_map(|(kind, names)| Item::Declaration(Declaration { kind, names })),
                vec(text().prop_map(sp), 1..=3).prop_map(Item::Brands),
                (name(), fact_type, of(text().prop_map(sp))).prop_map(|(name, ty, doc)| Item::Fact(FactDecl {
                    name,
                    ty: sp(ty),
                    doc
                })),
                (
                    prop_oneof![Just("content.kind"), Just("content.confidential"), Just("facts.x1")],
                    prop_oneof![
                        Just(crate::facts::Assumed::No),
                        Just(crate::facts::Assumed::Yes),
                        Just(crate::facts::Assumed::Empty),
                        date().prop_map(crate::facts::Assumed::Date)
                    ],
                    of(text().prop_map(sp))
                )
                    .prop_map(|(fact, value, doc)| Item::Assume(Assume {
                        fact: sp(fact.to_string()),
                        value: sp(value),
                        doc
                    })),
                vec(clause((asset(), party()).prop_map(|(a, p)| OwnershipRule { asset: sp(a), owner: sp(p) })), 0..=3)
                    .prop_map(Item::Ownership),
                vec(clause(departure_duty()), 0..=3).prop_map(Item::Departure),
                covenant().prop_map(Item::Covenant),
                (scope(), vec(clause(posting_rule()), 0..=3))
                    .prop_map(|(scope, clauses)| Item::Posting(Section { scope, clauses })),
                (scope(), vec(clause(connecting_rule()), 0..=3))
                    .prop_map(|(scope, clauses)| Item::Connecting(Section { scope, clauses })),
                vec(clause(terms_rule()), 0..=3).prop_map(Item::Terms),
                (label(), of(text().prop_map(sp)), modifiers())
                    .prop_map(|(name, description, modifiers)| Item::Rule(RuleDef { name, description, modifiers })),
                (label(), vec(label(), 1..=3), of(text().prop_map(sp)), modifiers()).prop_map(
                    |(name, targets, description, modifiers)| {
                        Item::Exception(ExceptionDef { name, targets, description, modifiers })
                    }
                ),
            ]
            .boxed()
        }

        fn header() -> BoxedStrategy<Header> {
            let default = prop_oneof![Just(DefaultVerdict::None), outcome().prop_map(DefaultVerdict::Outcome)];
            let conflicts = prop_oneof![
                Just(ConflictMode::MostRestrictive),
                Just(ConflictMode::Indeterminate),
                Just(ConflictMode::MostSpecific)
            ];
            let binds = prop_oneof![Just(Binding::AsAmended), Just(Binding::AtContract)];
            let zone = prop_oneof![Just("UTC"), Just("Europe/London"), Just("America/New_York")];
            (
                text(),
                of("[0-9]{1,3}(\\.[0-9]{1,2})?"),
                of(date()),
                of(text()),
                of("[A-Z]{2}(-[A-Z0-9]{1,3})?"),
                of(zone),
                of(default),
                (of(conflicts), of(names(1, 3)), of(binds), of(text())),
            )
                .prop_map(
                    |(
                        name,
                        version,
                        effective,
                        owner,
                        jurisdiction,
                        timezone,
                        default,
                        (conflicts, priorities, binds, previous),
                    )| {
                        Header {
                            name: sp(name),
                            version: version.map(sp),
                            effective: effective.map(sp),
                            owner: owner.map(sp),
                            jurisdiction: jurisdiction.map(sp),
                            timezone: timezone.map(|t| sp(t.to_string())),
                            default: default.map(sp),
                            conflicts: conflicts.map(sp),
                            priorities: priorities.map(sp),
                            binds: binds.map(sp),
                            previous: previous.map(sp),
                            span: Span::default(),
                        }
                    },
                )
                .boxed()
        }

        pub fn policy() -> BoxedStrategy<PolicyFile> {
            (header(), vec(item().prop_map(sp), 0..=6)).prop_map(|(header, items)| PolicyFile { header, items }).boxed()
        }
    }

    /// Where to put comments and blank lines in a printed policy, line by line:
    /// a comment on its own line before it, a trailing comment, a blank line.
    fn decorate(text: &str, plan: &[(Option<String>, Option<String>, bool, u8)]) -> (String, usize) {
        let mut out = String::new();
        let mut count = 0;
        let mut plan = plan.iter();
        for line in text.lines() {
            let (own, trailing, blank, indent) = plan.next().cloned().unwrap_or((None, None, false, 0));
            if blank {
                out.push('\n');
            }
            if let Some(c) = own {
                out.push_str(&" ".repeat(usize::from(indent % 6)));
                out.push_str(&c);
                out.push('\n');
                count += 1;
            }
            out.push_str(line);
            if let Some(c) = trailing {
                out.push_str(&" ".repeat(usize::from(indent % 3) + 1));
                out.push_str(&c);
                count += 1;
            }
            out.push('\n');
        }
        (out, count)
    }

    /// Breaks lines inside constructs: replaces chosen spaces (outside strings
    /// and comments) by a newline, after a trailing comment when one is given.
    /// A break the grammar does not allow there (inside `business days`, say)
    /// is skipped. Returns the text and the number of comments added.
    fn break_lines(text: &str, breaks: &[(proptest::sample::Index, Option<String>)]) -> (String, usize) {
        let Ok(original) = parse(&src(text)).map(|a| shape(&a)) else { return (text.to_string(), 0) };
        let mut text = text.to_string();
        let mut added = 0;
        for (index, comment) in breaks {
            let comment_spans: Vec<crate::source::Span> = comments(&text).into_iter().map(|c| c.span).collect();
            let mut in_string = false;
            let mut escaped = false;
            let mut spaces = Vec::new();
            for (i, c) in text.char_indices() {
                match (in_string, escaped, c) {
                    (true, true, _) => escaped = false,
                    (true, false, '\\') => escaped = true,
                    (true, false, '"') | (true, false, '\n') => in_string = false,
                    (false, _, '"') if !comment_spans.iter().any(|s| s.start <= i && i < s.end) => in_string = true,
                    (false, _, ' ') if !comment_spans.iter().any(|s| s.start <= i && i < s.end) => spaces.push(i),
                    _ => {}
                }
            }
            if spaces.is_empty() {
                break;
            }
            let at = *spaces.get(index.index(spaces.len())).unwrap();
            let insert = match comment {
                Some(c) => format!(" {c}\n"),
                None => "\n".to_string(),
            };
            let candidate = format!("{}{}{}", text.get(..at).unwrap(), insert, text.get(at + 1..).unwrap());
            if parse(&src(&candidate)).map(|a| shape(&a)).ok().as_ref() == Some(&original) {
                text = candidate;
                added += usize::from(comment.is_some());
            }
        }
        (text, added)
    }

    fn comment_text() -> impl proptest::strategy::Strategy<Value = String> {
        "#[ a-z0-9\"#{}()=-]{0,10}[a-z]"
    }

    proptest::proptest! {

        #[test]
        fn printed_asts_parse_back_and_are_stable(ast in gen::policy()) {
            let text = print(&ast, &[]);
            let parsed = match parse(&src(&text)) {
                Ok(p) => p,
                Err(e) => panic!("printed text does not parse: {e:?}\n{text}"),
            };
            proptest::prop_assert_eq!(shape(&parsed), shape(&ast), "printed:\n{}", text);
            let again = format_policy(&src(&text)).unwrap();
            proptest::prop_assert_eq!(again, text);
        }

        #[test]
        fn expressions_print_with_their_own_parentheses_only(e in gen::expr()) {
            let text = format!("policy \"x\"\nrule r {{\n  when {}\n}}\n", expr::expr(&e));
            let ast = parse(&src(&text)).unwrap();
            let Some(Item::Rule(r)) = ast.items.first().map(|i| &i.node) else { panic!("no rule") };
            let when = r.modifiers.when.as_ref().map(|w| format!("{:?}", w.node));
            proptest::prop_assert_eq!(
                when.map(|w| shape_str(&w)),
                Some(shape_str(&format!("{e:?}")))
            );
        }

        #[test]
        fn comments_are_never_dropped(
            ast in gen::policy(),
            plan in proptest::collection::vec(
                (proptest::option::weighted(0.2, comment_text()),
                 proptest::option::weighted(0.2, comment_text()),
                 proptest::bool::weighted(0.15),
                 0u8..6),
                0..80),
            breaks in proptest::collection::vec(
                (proptest::prelude::any::<proptest::sample::Index>(),
                 proptest::option::weighted(0.5, comment_text())),
                0..8),
        ) {
            let (text, inserted) = decorate(&print(&ast, &[]), &plan);
            let (text, broken) = break_lines(&text, &breaks);
            let found_in = comments(&text);
            proptest::prop_assert_eq!(found_in.len(), inserted + broken);
            let out = format_policy(&src(&text)).unwrap();
            let mut texts_in: Vec<String> = found_in.into_iter().map(|c| c.text).collect();
            let mut texts_out: Vec<String> = comments(&out).into_iter().map(|c| c.text).collect();
            texts_in.sort();
            texts_out.sort();
            proptest::prop_assert_eq!(texts_in, texts_out, "input:\n{}\noutput:\n{}", text, out);
            let reparsed = parse(&src(&out)).unwrap();
            proptest::prop_assert_eq!(shape(&reparsed), shape(&ast));
            let again = format_policy(&src(&out)).unwrap();
            proptest::prop_assert_eq!(again, out);
        }
    }
}
