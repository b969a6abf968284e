//! Table definitions shared by both backends (portable SQL types only).

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        display_name -> Text,
        slug -> Text,
        bio -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        is_sample -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    categories (id) {
        id -> Integer,
        name -> Text,
        slug -> Text,
        description -> Text,
        is_sample -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    articles (id) {
        id -> Integer,
        title -> Text,
        slug -> Text,
        standfirst -> Text,
        author_id -> Integer,
        category_id -> Nullable<Integer>,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        is_sample -> Bool,
        meta_title -> Text,
        meta_description -> Text,
        cover_media_id -> Nullable<Integer>,
    }
}

diesel::table! {
    /// The public articles summarised per block of ids (see `crate::articles::blocks`).
    article_blocks (block) {
        block -> Integer,
        live_count -> Integer,
        lastmod -> Nullable<Timestamp>,
        next_due -> Nullable<Timestamp>,
        stale -> Bool,
        version -> BigInt,
    }
}

diesel::table! {
    sections (id) {
        id -> Integer,
        article_id -> Integer,
        position -> Integer,
        heading -> Nullable<Text>,
        anchor -> Text,
        body_markdown -> Text,
        body_html -> Text,
    }
}

diesel::table! {
    related_links (id) {
        id -> Integer,
        article_id -> Integer,
        position -> Integer,
        target_article_id -> Nullable<Integer>,
        url -> Nullable<Text>,
        title -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Integer,
        token_hash -> Text,
        user_id -> Integer,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Integer,
        throttle_key -> Text,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::joinable!(articles -> users (author_id));
diesel::joinable!(articles -> categories (category_id));
diesel::joinable!(sections -> articles (article_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    categories,
    articles,
    sections,
    related_links,
    sessions,
    login_attempts,
    settings,
    api_tokens,
    webhooks,
    webhook_deliveries,
    revisions,
    media,
    wordpress_imports,
);

diesel::table! {
    api_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        name -> Text,
        token_hash -> Text,
        token_prefix -> Text,
        scope -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Integer,
        name -> Text,
        url -> Text,
        secret -> Text,
        events -> Text,
        enabled -> Bool,
        consecutive_failures -> Integer,
        failing_since -> Nullable<Timestamp>,
        auto_disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Integer,
        webhook_id -> Integer,
        uuid -> Text,
        event -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::table! {
    /// Every saved state of an article (see `crate::revisions`).
    revisions (id) {
        id -> Integer,
        article_id -> Integer,
        number -> Integer,
        author_id -> Nullable<Integer>,
        created_at -> Timestamp,
        status -> Text,
        version -> Integer,
        snapshot -> Text,
        summary -> Text,
    }
}

diesel::joinable!(revisions -> articles (article_id));

diesel::table! {
    /// Uploaded images and their variants (see `crate::media`).
    media (id) {
        id -> Integer,
        content_hash -> Text,
        storage_key -> Text,
        original_name -> Text,
        mime -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> BigInt,
        alt -> Text,
        variants -> Text,
        uploader_id -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(media -> users (uploader_id));
diesel::joinable!(articles -> media (cover_media_id));

diesel::table! {
    /// What `gazette import wordpress` brought in, per WordPress item (see `crate::wordpress`).
    wordpress_imports (id) {
        id -> Integer,
        source -> Text,
        wp_post_id -> BigInt,
        post_type -> Text,
        wp_slug -> Text,
        old_path -> Text,
        article_id -> Nullable<Integer>,
        article_version -> Nullable<Integer>,
        media_id -> Nullable<Integer>,
        fingerprint -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(wordpress_imports -> articles (article_id));
diesel::joinable!(wordpress_imports -> media (media_id));
