//! `scaleway_container_token`: the containers product's side of the token mapping shared with
//! functions (see `api::resources::tokens`).

use super::TOKEN;
use crate::api::resources::tokens::{NewToken, TokenKind, TokenView};
use crate::api::types::containers::{CreateTokenRequest, Token as ApiToken};
use crate::api::types::{ContainerId, NamespaceId};

/// The mapping of `scaleway_container_token`.
#[derive(Debug, Clone, Copy)]
pub struct Token;

const TOKEN_KIND: TokenKind = TokenKind {
    ty: TOKEN,
    product: "containers",
    parent: "container_id",
};

fn token_view(t: ApiToken) -> TokenView {
    TokenView {
        id: t.id.0,
        token: t.token,
        parent_id: t.container_id.map(|c| c.0),
        namespace_id: t.namespace_id.map(|n| n.0),
        description: t.description,
        expires_at: t.expires_at,
    }
}

fn token_request(new: NewToken) -> CreateTokenRequest {
    CreateTokenRequest {
        container_id: new.parent_id.map(ContainerId),
        namespace_id: new.namespace_id.map(NamespaceId),
        description: new.description,
        expires_at: new.expires_at,
    }
}

resource_api! {
    Token => TOKEN,
    create(cx, desired) => TOKEN_KIND.create(cx, desired, token_request, token_view),
    read(cx, prior) => TOKEN_KIND.read(cx, prior, token_view),
    update: none,
    delete(cx, prior) => TOKEN_KIND.delete(cx, prior),
    listing(prior) => TOKEN_KIND.listing(prior),
    read_listed(prior, item) => TOKEN_KIND.read_listed::<ApiToken>(prior, item, token_view),
}
