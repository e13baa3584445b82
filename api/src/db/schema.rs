// @generated automatically by Diesel CLI.
//
// Regenerate with `diesel print-schema > api/src/db/schema.rs` after adding a migration
// (see CONTRIBUTING.md). `listings.search_changed` and `listing_facet_counts_state` (xid8,
// which diesel has no type for) are left out: only raw SQL reads them
// (api/src/search/index.rs, and `refresh_listing_facet_counts()` through api/src/jobs.rs).

diesel::table! {
    airfields (icao) {
        icao -> Bpchar,
        iata -> Nullable<Bpchar>,
        name -> Text,
        city -> Nullable<Text>,
        subdivision -> Nullable<Text>,
        country -> Bpchar,
        elevation_ft -> Nullable<Int4>,
        lat -> Float8,
        lon -> Float8,
        tz -> Nullable<Text>,
        search_text -> Text,
    }
}

diesel::table! {
    categories (id) {
        id -> Uuid,
        parent_id -> Nullable<Uuid>,
        slug -> Text,
        position -> Int4,
        name_fr -> Text,
        name_en -> Text,
        attribute_group -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        purpose -> Text,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    makes (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        kinds -> Array<Text>,
        country -> Nullable<Bpchar>,
        search_text -> Text,
        search_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    models (id) {
        id -> Uuid,
        make_id -> Uuid,
        name -> Text,
        search_text -> Text,
        search_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        created_at -> Timestamptz,
        next_attempt_at -> Timestamptz,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        list_unsubscribe -> Nullable<Text>,
    }
}

diesel::table! {
    personal_access_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        prefix -> Text,
        token_hash -> Bytea,
        scopes -> Array<Text>,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    reference_data (name) {
        name -> Text,
        sha256 -> Text,
        rows_loaded -> Int4,
        rows_skipped -> Int4,
        loaded_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        token_version -> Int4,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        replaced_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        email_verified_at -> Nullable<Timestamptz>,
        password_hash -> Text,
        display_name -> Text,
        locale -> Text,
        account_type -> Text,
        company_name -> Nullable<Text>,
        company_registration -> Nullable<Text>,
        phone -> Nullable<Text>,
        show_phone -> Bool,
        notify_messages -> Bool,
        notify_saved_searches -> Bool,
        notify_newsletter -> Bool,
        role -> Text,
        status -> Text,
        token_version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        suspended_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        first_published_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Uuid,
        key -> Text,
        request_hash -> Bytea,
        response_status -> Int4,
        response_body -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    listing_events (id) {
        id -> Int8,
        listing_id -> Uuid,
        actor_id -> Nullable<Uuid>,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        price_amount -> Nullable<Int8>,
        currency -> Nullable<Bpchar>,
        details -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    listing_photos (id) {
        id -> Uuid,
        listing_id -> Uuid,
        position -> Int4,
        sha256 -> Bpchar,
        width -> Int4,
        height -> Int4,
        widths -> Array<Int4>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    listings (id) {
        id -> Uuid,
        seller_id -> Uuid,
        category_id -> Uuid,
        status -> Text,
        title -> Text,
        description -> Text,
        price_amount -> Nullable<Int8>,
        currency -> Bpchar,
        price_kind -> Text,
        vat_included -> Nullable<Bool>,
        condition -> Text,
        airfield_icao -> Nullable<Bpchar>,
        city -> Nullable<Text>,
        postcode -> Nullable<Text>,
        country -> Nullable<Bpchar>,
        lat -> Nullable<Float8>,
        lon -> Nullable<Float8>,
        show_phone -> Bool,
        make -> Nullable<Text>,
        model -> Nullable<Text>,
        year -> Nullable<Int4>,
        registration -> Nullable<Text>,
        ttaf_hours -> Nullable<Float8>,
        engine_hours -> Nullable<Float8>,
        smoh_hours -> Nullable<Float8>,
        tbo_hours -> Nullable<Float8>,
        hours_to_tbo -> Nullable<Float8>,
        seats -> Nullable<Int2>,
        ifr -> Nullable<Bool>,
        fuel -> Nullable<Text>,
        attributes -> Jsonb,
        version -> Int4,
        view_count -> Int8,
        favourite_count -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        published_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        sold_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        expiry_reminder_sent_at -> Nullable<Timestamptz>,
        submitted_at -> Nullable<Timestamptz>,
        rejection_note -> Nullable<Text>,
        hidden_from -> Nullable<Text>,
    }
}

diesel::table! {
    favorites (user_id, listing_id) {
        user_id -> Uuid,
        listing_id -> Uuid,
        created_at -> Timestamptz,
        saved_amount -> Nullable<Int8>,
        saved_currency -> Bpchar,
        alert_amount -> Nullable<Int8>,
        alert_currency -> Bpchar,
    }
}

diesel::table! {
    saved_searches (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        query -> Jsonb,
        frequency -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        match_from -> Timestamptz,
        checked_until -> Timestamptz,
    }
}

diesel::table! {
    saved_search_matches (saved_search_id, listing_id) {
        saved_search_id -> Uuid,
        listing_id -> Uuid,
        matched_at -> Timestamptz,
    }
}

diesel::table! {
    notifications (id) {
        id -> Uuid,
        user_id -> Uuid,
        kind -> Text,
        listing_id -> Nullable<Uuid>,
        saved_search_id -> Nullable<Uuid>,
        data -> Jsonb,
        created_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
        digest -> Nullable<Text>,
        emailed_at -> Nullable<Timestamptz>,
        conversation_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    conversations (id) {
        id -> Uuid,
        listing_id -> Nullable<Uuid>,
        listing_title -> Text,
        buyer_id -> Uuid,
        seller_id -> Uuid,
        created_at -> Timestamptz,
        last_message_at -> Timestamptz,
        buyer_read_at -> Nullable<Timestamptz>,
        seller_read_at -> Nullable<Timestamptz>,
        buyer_mailed_at -> Nullable<Timestamptz>,
        seller_mailed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    messages (id) {
        id -> Uuid,
        conversation_id -> Uuid,
        sender_id -> Uuid,
        body -> Text,
        created_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    user_blocks (blocker_id, blocked_id) {
        blocker_id -> Uuid,
        blocked_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    alert_digests (user_id, frequency) {
        user_id -> Uuid,
        frequency -> Text,
        last_sent_at -> Timestamptz,
    }
}

diesel::table! {
    unsubscribe_links (id) {
        id -> Uuid,
        user_id -> Uuid,
        scope -> Text,
        saved_search_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    listing_reports (id) {
        id -> Uuid,
        listing_id -> Uuid,
        reporter_id -> Uuid,
        reason -> Text,
        comment -> Nullable<Text>,
        state -> Text,
        created_at -> Timestamptz,
        resolved_at -> Nullable<Timestamptz>,
        resolved_by -> Nullable<Uuid>,
        resolution -> Nullable<Text>,
        note -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    moderation_audit (id) {
        id -> Uuid,
        moderator_id -> Uuid,
        action -> Text,
        listing_id -> Nullable<Uuid>,
        target_user_id -> Nullable<Uuid>,
        reports -> Int4,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(listing_reports -> listings (listing_id));
diesel::joinable!(favorites -> listings (listing_id));
diesel::joinable!(favorites -> users (user_id));
diesel::joinable!(notifications -> saved_searches (saved_search_id));
diesel::joinable!(notifications -> conversations (conversation_id));
diesel::joinable!(conversations -> listings (listing_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(saved_search_matches -> saved_searches (saved_search_id));
diesel::joinable!(saved_searches -> users (user_id));
diesel::joinable!(unsubscribe_links -> saved_searches (saved_search_id));
diesel::joinable!(idempotency_keys -> users (user_id));
diesel::joinable!(listing_events -> listings (listing_id));
diesel::joinable!(listing_photos -> listings (listing_id));
diesel::joinable!(models -> makes (make_id));
diesel::joinable!(personal_access_tokens -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    alert_digests,
    conversations,
    favorites,
    messages,
    user_blocks,
    notifications,
    saved_search_matches,
    saved_searches,
    unsubscribe_links,
    idempotency_keys,
    listing_events,
    listing_reports,
    listing_photos,
    listings,
    airfields,
    categories,
    email_tokens,
    makes,
    moderation_audit,
    models,
    outbox,
    personal_access_tokens,
    reference_data,
    refresh_tokens,
    users,
);
