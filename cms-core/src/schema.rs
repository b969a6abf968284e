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
);
