//! Every grammar rule's name in plain words, for "expected ..." messages.
//!
//! The match is exhaustive on purpose: a new grammar rule does not compile
//! until it has a phrase (or is marked as never shown with `None`).

use super::Rule;

/// The phrase for a rule, or `None` for rules a user never needs to hear about.
pub fn phrase(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::WHITESPACE
        | Rule::blank
        | Rule::comment
        | Rule::kw_end
        | Rule::prefix_op
        | Rule::infix_op
        | Rule::primary
        | Rule::compare_tail
        | Rule::value
        | Rule::modifier
        | Rule::header_item
        | Rule::default_value
        | Rule::connection_filter
        | Rule::account_filter
        | Rule::material_filter
        | Rule::departure_duty
        | Rule::covenant_item
        | Rule::posting_rule
        | Rule::connecting_rule
        | Rule::terms_rule
        | Rule::item => return None,
        Rule::keyword => return None,
        Rule::k_advise => "`advise`",
        Rule::k_all => "`all`",
        Rule::k_approval => "`approval`",
        Rule::k_at => "`at`",
        Rule::k_because => "`because`",
        Rule::k_binds => "`binds`",
        Rule::k_by => "`by`",
        Rule::k_conflicts => "`conflicts`",
        Rule::k_connecting => "`connecting`",
        Rule::k_covenant => "`covenant`",
        Rule::k_created => "`created`",
        Rule::k_default => "`default`",
        Rule::k_departure => "`departure`",
        Rule::disclose_word => "`disclosure` or `disclaimer`",
        Rule::k_conduct => "`conduct`",
        Rule::k_consequence => "`consequence`",
        Rule::k_effective => "`effective`",
        Rule::k_enum => "`enum`",
        Rule::k_except => "`except`",
        Rule::k_exception => "`exception`",
        Rule::k_export => "`export`",
        Rule::k_fact => "`fact`",
        Rule::k_as => "`as`",
        Rule::k_assume => "`assume`",
        Rule::k_given => "`given`",
        Rule::k_for => "`for`",
        Rule::k_forbid => "`forbid`",
        Rule::k_from => "`from`",
        Rule::k_hand => "`hand`",
        Rule::k_jurisdiction => "`jurisdiction`",
        Rule::k_keep => "`keep`",
        Rule::k_limit => "`limit`",
        Rule::k_lookback => "`lookback`",
        Rule::k_miles => "`miles`",
        Rule::k_capacities => "`capacities`",
        Rule::k_most => "`most`",
        Rule::k_no => "`no`",
        Rule::k_note => "`note`",
        Rule::k_oblige => "`oblige`",
        Rule::k_of => "`of`",
        Rule::k_on => "`on`",
        Rule::k_only => "`only`",
        Rule::k_over => "`over`",
        Rule::k_owned => "`owned`",
        Rule::k_owner => "`owner`",
        Rule::k_ownership => "`ownership`",
        Rule::k_per => "`per`",
        Rule::k_policy => "`policy`",
        Rule::k_previous => "`previous`",
        Rule::k_priorities => "`priorities`",
        Rule::k_priority => "`priority`",
        Rule::k_posting => "`posting`",
        Rule::k_profile => "`profile`",
        Rule::k_radius => "`radius`",
        Rule::k_remove => "`remove`",
        Rule::k_require => "`require`",
        Rule::k_role => "`role`",
        Rule::k_rule => "`rule`",
        Rule::k_see => "`see`",
        Rule::k_team => "`team`",
        Rule::k_terms => "`terms`",
        Rule::k_then => "`then`",
        Rule::k_timezone => "`timezone`",
        Rule::k_to => "`to`",
        Rule::k_unless => "`unless`",
        Rule::k_update => "`update`",
        Rule::k_version => "`version`",
        Rule::k_when => "`when`",
        Rule::k_while => "`while`",
        Rule::k_with => "`with`",
        Rule::k_within => "`within`",
        Rule::ident => "a name",
        Rule::name => "a clause name",
        Rule::ident_list => "a list of names separated by commas",
        Rule::string => "a text in double quotes",
        Rule::string_inner => return None,
        Rule::integer => "a whole number",
        Rule::version_number => "a version number such as `3` or `3.1`",
        Rule::percent => "a percentage such as `30%`",
        Rule::date => "a date such as `2026-03-14`",
        Rule::time_of_day => "a time of day such as `17:30`",
        Rule::time_unit => "a unit of time (`days`, `business days`, `weeks`, `months`)",
        Rule::duration => "a length of time such as `3 months`",
        Rule::boolean => "`true` or `false`",
        Rule::empty_set => "`{}` (an empty list)",
        Rule::jurisdiction_code => "a jurisdiction code such as `UK` or `US-CA`",
        Rule::expr => "a condition",
        Rule::not_op => "`not`",
        Rule::and_op => "`and`",
        Rule::or_op => "`or`",
        Rule::comparison => "a condition",
        Rule::cmp_op => "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::in_op => "`in`",
        Rule::not_in_op => "`not in`",
        Rule::has_op => "`has`",
        Rule::is_missing => "`is missing`",
        Rule::is_present => "`is present`",
        Rule::contains_op => "`contains`",
        Rule::needles => "a text in quotes, a set of texts such as `{\"Brightwater\", \"BW\"}`, or `a brand name`",
        Rule::text_set => "a set of texts such as `{\"Brightwater\", \"BW\"}`",
        Rule::a_brand_name => "`a brand name`",
        Rule::set => "a set of values such as `{client, candidate}`",
        Rule::operand => "a value or a fact such as `actor.status`",
        Rule::shift_op => "`+` or `-`",
        Rule::path => "a fact such as `actor.status` or a value",
        Rule::path_segment => "a name",
        Rule::outcome => "an outcome (`deny`, `allow`, `require approval from ROLE` or `advise`)",
        Rule::deny_kw => "`deny`",
        Rule::allow_kw => "`allow`",
        Rule::advise_only => "`advise`",
        Rule::approval => "`require approval from ROLE`",
        Rule::approvers_all => "`all of {ROLE, ROLE}`",
        Rule::label => "a clause name followed by `:`",
        Rule::when_mod => "`when CONDITION`",
        Rule::unless_mod => "`unless CONDITION`",
        Rule::then_mod => "`then OUTCOME`",
        Rule::because_mod => "`because \"...\"`",
        Rule::advise_mod => "`advise \"...\"`",
        Rule::oblige_mod => "`oblige \"...\"`",
        Rule::note_mod => "`note \"...\"`",
        Rule::indefinitely => "`indefinitely`",
        Rule::consequence_mod => "`consequence \"...\"`",
        Rule::see_mod => "`see \"...\"`",
        Rule::priority_mod => "`priority` and a tier named in the header's `priorities`",
        Rule::dry_run => "`dry run`",
        Rule::within => "`within` and a length of time",
        Rule::duty_as => "`as` and the duty's key (`as erase_data`)",
        Rule::duty_key => "the duty's key, a name such as `erase_data`",
        Rule::event_of => "`of` and the date of the event (`of request.made_on`)",
        Rule::header => "the policy header `policy \"Name\" ...`",
        Rule::version_item => "`version`",
        Rule::effective_item => "`effective DATE`",
        Rule::owner_item => "`owner \"...\"`",
        Rule::jurisdiction_item => "`jurisdiction CODE`",
        Rule::timezone_item => "`timezone \"Europe/London\"`",
        Rule::default_item => "`default` and a verdict",
        Rule::none_kw => "`none`",
        Rule::conflicts_item => "`conflicts most_restrictive`, `conflicts most_specific` or `conflicts indeterminate`",
        Rule::conflict_mode => "`most_restrictive`, `most_specific` or `indeterminate`",
        Rule::binds_item => "`binds as_amended` or `binds at_contract`",
        Rule::binding_mode => "`as_amended` or `at_contract`",
        Rule::previous_item => "`previous \"FILE\"` (the version this one replaces)",
        Rule::priorities_item => "`priorities` and tiers, highest first, such as `priorities legal > brand`",
        Rule::declaration => "a declaration such as `roles consultant, manager`",
        Rule::decl_kind => "`roles`, `teams`, `channels`, `content kinds` or `actions`",
        Rule::fact_decl => "a fact declaration such as `fact supervisor: bool`",
        Rule::brand_decl => "brand names such as `brand names {\"Brightwater\", \"BW Recruit\"}`",
        Rule::brand_names_kw => "`brand names`",
        Rule::assume_decl => "an assumption such as `assume content.confidential = false when not given`",
        Rule::fact_type => "a type (`bool`, `int`, `date`, `text` or `enum { ... }`)",
        Rule::type_bool => "`bool`",
        Rule::type_int => "`int`",
        Rule::type_date => "`date`",
        Rule::type_text => "`text`",
        Rule::type_enum => "`enum { ... }`",
        Rule::ownership => "an `ownership { ... }` section",
        Rule::ownership_clause => "an ownership clause such as `branded accounts -> agency`",
        Rule::ownership_rule => "an ownership clause such as `branded accounts -> agency`",
        Rule::owner_party => "an owner (`employee`, `agency` or `shared`)",
        Rule::asset => {
            "`connections`, `contacts`, `accounts`, `credentials`, `content`, `videos`, `recruiting material`, ..."
        }
        Rule::connections_asset => "`connections`",
        Rule::connections_kw => "`connections` or `contacts`",
        Rule::made_before => "`made before employment`",
        Rule::made_during => "`made during employment`",
        Rule::with_relationship => "`with` and relationships",
        Rule::from_origin => "`from` and an origin",
        Rule::owned_by => "`owned by` and an owner",
        Rule::accounts_asset => "`accounts`",
        Rule::account_kind => "an account kind (`personal`, `branded`, `corporate`, `group`)",
        Rule::accounts_kw => "`accounts`",
        Rule::created_by => "`created by` and an owner",
        Rule::run_as_duty => "`run as duty`",
        Rule::on_agency_equipment => "`on agency equipment`",
        Rule::brand_in_handle => "`with brand in handle`",
        Rule::for_purpose => "`for` and a purpose",
        Rule::credentials_asset => "`credentials`",
        Rule::material_asset => "content such as `videos` or `recruiting material`",
        Rule::material_kw => {
            "`content`, `posts`, `articles`, `videos`, `blogs`, `group member lists` or `recruiting material`"
        }
        Rule::made_for_agency => "`made for agency`",
        Rule::made_privately => "`made privately`",
        Rule::departure => "an `on departure { ... }` section",
        Rule::departure_clause => "a departure duty such as `hand over branded accounts within 1 day`",
        Rule::hand_over => "`hand over ...`",
        Rule::remove_duty => "`remove ...`",
        Rule::update_profile => "`update profile`",
        Rule::keep_duty => "`keep ...`",
        Rule::forbid_export => "`no export of ...`",
        Rule::covenant => "a covenant such as `covenant non_solicitation of clients for 6 months`",
        Rule::covenant_kind => "a covenant kind (`non_solicitation`, `non_dealing`, `non_compete`, `non_poaching`)",
        Rule::covenant_of => "`of` and whom it protects",
        Rule::lookback => "`lookback` and a length of time",
        Rule::radius => "`radius N miles`",
        Rule::covenant_capacities => "`capacities` and the capacities the covenant binds in",
        Rule::garden_leave_offset => "`garden leave offset`",
        Rule::reduced_by_garden_leave => "`reduced by garden leave`",
        Rule::covenant_actions => "`applies to` and actions",
        Rule::applies_to => "`applies to`",
        Rule::except_item => "`except ...`",
        Rule::posting => "a `posting { ... }` section",
        Rule::connecting => "a `connecting { ... }` section",
        Rule::section_scope => "`on CHANNELS`, `for team TEAMS` or `by role ROLES`",
        Rule::channel_scope => "`on` and channels",
        Rule::other_channels => "`other channels`",
        Rule::any_channel => "`any channel`",
        Rule::team_scope => "`for team ...`",
        Rule::role_scope => "`by role ...`",
        Rule::posting_clause => "a posting clause such as `limit 10 posts per day`",
        Rule::post_limit => "`limit N posts per day`",
        Rule::posts_kw => "`posts`",
        Rule::period => "`day`, `week`, `month`, `rolling day` or `rolling 7 days`",
        Rule::period_word => "`day`, `week`, `month` or `rolling day`",
        Rule::rolling_days => "`rolling 7 days`",
        Rule::per_channel => "`per channel`",
        Rule::excluding_shares => "`excluding shares`",
        Rule::share_limit => "`at most N% KIND posts per week`",
        Rule::forbid_kinds => "`forbid` and content kinds",
        Rule::only_kinds => "`only` and content kinds",
        Rule::require_approval_for => "`require approval from ROLE`",
        Rule::require_disclosure => "`require disclosure`",
        Rule::before_posting => "`before posting`",
        Rule::forbid_conduct => "`forbid conduct` and judgements",
        Rule::forbid_flag => "`forbid client names`, `forbid candidate data` or `forbid confidential`",
        Rule::flag_words => "`client names`, `candidate data` or `confidential`",
        Rule::section_default => "`default` and an outcome",
        Rule::connecting_clause => "a connecting clause such as `require interaction before invitation`",
        Rule::require_interaction => "`require interaction before invitation`",
        Rule::invitation_limit => "`limit N invitations per week`",
        Rule::invitations_kw => "`invitations`",
        Rule::forbid_invitations => "`forbid invitations to ...`",
        Rule::while_status => "`while` and statuses",
        Rule::terms => "a `terms { ... }` section",
        Rule::terms_clause => "a terms clause such as `non_compete at most 3 months`",
        Rule::max_covenant => "`KIND at most DURATION`",
        Rule::no_covenant => "`no KIND`",
        Rule::max_lookback => "`lookback at most DURATION`",
        Rule::max_radius => "`radius at most N miles`",
        Rule::require_offset => "`require garden leave offset`",
        Rule::require_ownership => "`require FIELD -> OWNER`",
        Rule::forbid_monitoring => "`forbid monitoring of personal accounts`",
        Rule::rule_def => "a rule such as `rule name { when ... then deny }`",
        Rule::exception_def => "an exception such as `exception name to rule-name { ... }`",
        Rule::policy_file => "a policy file",
    })
}

/// Whether a rule is a keyword token (`k_when`): the AST builder skips these.
pub fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::k_advise
            | Rule::k_all
            | Rule::k_as
            | Rule::k_approval
            | Rule::k_at
            | Rule::k_because
            | Rule::k_binds
            | Rule::k_by
            | Rule::k_conflicts
            | Rule::k_connecting
            | Rule::k_covenant
            | Rule::k_created
            | Rule::k_default
            | Rule::k_departure
            | Rule::k_conduct
            | Rule::k_consequence
            | Rule::k_effective
            | Rule::k_enum
            | Rule::k_except
            | Rule::k_exception
            | Rule::k_export
            | Rule::k_fact
            | Rule::k_assume
            | Rule::k_given
            | Rule::k_for
            | Rule::k_forbid
            | Rule::k_from
            | Rule::k_hand
            | Rule::k_jurisdiction
            | Rule::k_keep
            | Rule::k_limit
            | Rule::k_lookback
            | Rule::k_miles
            | Rule::k_capacities
            | Rule::k_most
            | Rule::k_no
            | Rule::k_note
            | Rule::k_oblige
            | Rule::k_of
            | Rule::k_on
            | Rule::k_only
            | Rule::k_over
            | Rule::k_owned
            | Rule::k_owner
            | Rule::k_ownership
            | Rule::k_per
            | Rule::k_policy
            | Rule::k_previous
            | Rule::k_priorities
            | Rule::k_priority
            | Rule::k_posting
            | Rule::k_profile
            | Rule::k_radius
            | Rule::k_remove
            | Rule::k_require
            | Rule::k_role
            | Rule::k_rule
            | Rule::k_see
            | Rule::k_team
            | Rule::k_terms
            | Rule::k_then
            | Rule::k_timezone
            | Rule::k_to
            | Rule::k_unless
            | Rule::k_update
            | Rule::k_version
            | Rule::k_when
            | Rule::k_while
            | Rule::k_with
            | Rule::k_within
    )
}
