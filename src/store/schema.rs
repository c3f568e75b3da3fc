// One schema for both backends: only types diesel's MultiConnection shares.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        locale -> Text,
        role -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        email_verified_at -> Nullable<BigInt>,
        erased_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> BigInt,
        ended_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    topics (slug) {
        slug -> Text,
        label_nl -> Text,
        label_en -> Text,
    }
}

diesel::table! {
    profiles (user_id) {
        user_id -> Text,
        domain -> Text,
        profession -> Text,
        experience_years -> Nullable<Integer>,
        registration -> Text,
        province -> Text,
        host_capacity -> Integer,
        hours_per_month -> Integer,
        max_travel_km -> Integer,
        learning_goal -> Text,
        paused -> Bool,
        updated_at -> BigInt,
        offers_to_convene -> Bool,
        organisation -> Nullable<Text>,
        team -> Nullable<Text>,
    }
}

diesel::table! {
    profile_languages (user_id, language) {
        user_id -> Text,
        language -> Text,
    }
}

diesel::table! {
    profile_forms (user_id, form) {
        user_id -> Text,
        form -> Text,
    }
}

diesel::table! {
    profile_meeting_modes (user_id, mode) {
        user_id -> Text,
        mode -> Text,
    }
}

diesel::table! {
    profile_topics (user_id, topic, direction) {
        user_id -> Text,
        topic -> Text,
        direction -> Text,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        token_hash -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        message_id -> Text,
        kind -> Text,
        recipient -> Text,
        locale -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        locked_until -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
        sent_at -> Nullable<BigInt>,
        user_id -> Nullable<Text>,
        context -> Nullable<Text>,
        claim -> Nullable<Text>,
        ics -> Nullable<Text>,
        unsubscribe -> Nullable<Text>,
    }
}

diesel::table! {
    outbox_mentions (outbox_id, user_id) {
        outbox_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    rounds (id) {
        id -> Text,
        number -> Integer,
        kind -> Text,
        status -> Text,
        params -> Text,
        cohort -> Text,
        note -> Text,
        meeting_window -> Text,
        created_by -> Text,
        created_at -> BigInt,
        published_at -> Nullable<BigInt>,
        cancelled_at -> Nullable<BigInt>,
        progress -> Nullable<Text>,
        metrics -> Nullable<Text>,
        reply_by -> Nullable<BigInt>,
        programme_id -> Text,
    }
}

diesel::table! {
    programmes (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        open -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    programme_coordinators (programme_id, user_id) {
        programme_id -> Text,
        user_id -> Text,
        assigned_at -> BigInt,
    }
}

diesel::table! {
    programme_members (programme_id, user_id) {
        programme_id -> Text,
        user_id -> Text,
        joined_at -> BigInt,
        via -> Text,
    }
}

diesel::table! {
    programme_invitations (id) {
        id -> Text,
        programme_id -> Text,
        email -> Text,
        display_name -> Text,
        locale -> Text,
        token_hash -> Text,
        invited_by -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        accepted_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    matches (id) {
        id -> Text,
        round_id -> Text,
        kind -> Text,
        score -> BigInt,
        explanation -> Text,
        created_at -> BigInt,
        convener_id -> Nullable<Text>,
        meeting_mode -> Nullable<Text>,
        ready_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    match_members (match_id, user_id) {
        match_id -> Text,
        round_id -> Text,
        user_id -> Text,
        role -> Text,
        response -> Text,
        responded_at -> Nullable<BigInt>,
        decline_reason -> Nullable<Text>,
        reminded_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    appointments (id) {
        id -> Text,
        match_id -> Text,
        proposed_by -> Text,
        starts_at -> BigInt,
        duration_minutes -> Integer,
        mode -> Text,
        location -> Nullable<Text>,
        online_url -> Nullable<Text>,
        note -> Nullable<Text>,
        sequence -> Integer,
        cancelled_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    calendar_feeds (user_id) {
        user_id -> Text,
        token_hash -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    meetings (id) {
        id -> Text,
        match_id -> Text,
        user_id -> Text,
        met_on -> Text,
        hours -> Integer,
        reflection -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    ratings (match_id, user_id) {
        match_id -> Text,
        user_id -> Text,
        stars -> Integer,
        comment -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    contact_preferences (user_id) {
        user_id -> Text,
        phone -> Nullable<Text>,
        share_email -> Bool,
        share_phone -> Bool,
        share_province -> Bool,
        updated_at -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> BigInt,
        actor_id -> Text,
        actor_role -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        detail -> Text,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::table! {
    member_conflicts (id) {
        id -> Text,
        user_a -> Text,
        user_b -> Text,
        note -> Text,
        registered_by -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    round_overrides (round_id) {
        round_id -> Text,
        body -> Text,
        updated_by -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    round_unmatched (round_id, user_id) {
        round_id -> Text,
        user_id -> Text,
        reason -> Text,
    }
}

diesel::joinable!(profiles -> users (user_id));
diesel::joinable!(notification_settings -> users (user_id));
diesel::joinable!(matches -> rounds (round_id));
diesel::joinable!(meetings -> matches (match_id));
diesel::joinable!(appointments -> matches (match_id));
diesel::joinable!(ratings -> matches (match_id));
diesel::joinable!(match_members -> rounds (round_id));
diesel::joinable!(rounds -> programmes (programme_id));
diesel::joinable!(programme_members -> programmes (programme_id));
diesel::joinable!(programme_members -> users (user_id));
diesel::joinable!(programme_coordinators -> programmes (programme_id));
diesel::joinable!(programme_coordinators -> users (user_id));
diesel::joinable!(programme_invitations -> programmes (programme_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    member_conflicts,
    round_overrides,
    round_unmatched,
    refresh_tokens,
    sessions,
    topics,
    profiles,
    profile_languages,
    profile_forms,
    profile_meeting_modes,
    profile_topics,
    email_tokens,
    outbox,
    outbox_mentions,
    rounds,
    matches,
    match_members,
    meetings,
    appointments,
    calendar_feeds,
    ratings,
    contact_preferences,
    audit_log,
    programmes,
    programme_coordinators,
    programme_members,
    programme_invitations,
    notification_settings,
    reminders_sent,
);

diesel::table! {
    notification_settings (user_id) {
        user_id -> Text,
        answer_pending -> Bool,
        no_meeting_yet -> Bool,
        reflection_due -> Bool,
        next_session -> Bool,
        updated_at -> BigInt,
    }
}

diesel::table! {
    reminders_sent (reminder_key) {
        reminder_key -> Text,
        user_id -> Text,
        kind -> Text,
        sent_at -> BigInt,
    }
}
