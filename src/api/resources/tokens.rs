//! The serverless tokens (`scaleway_container_token`, `scaleway_function_token`): the same
//! v1beta1 shape under two products, so one implementation parameterised by [`TokenKind`].
//!
//! State form: `id` (`{region}/{uuid}`), `<parent>_id` or `namespace_id` (`{region}/{uuid}`,
//! the other `null`), `description`, `expires_at` (RFC 3339 UTC, whole seconds, `null` when
//! the token never expires), `token` (from the creation answer only: reads answer
//! `"<hidden>"`, so the recorded value is kept), `region`. No update call; no status wait (the
//! provider uses none); a delete that finds the token gone succeeds.

use serde_json::Value as Json;
use uuid::Uuid;

use super::fields::{Fields, check_region, expand_id, parse_regional_id, regional_id, timestamp};
use super::{ApiContext, Attributes, Listing, Outcome, ResourceError, id_region, reference_uuid};
use crate::api::client::Query;
use crate::api::types::common::Secret;

/// How many times a token create is sent when the tokens listed after a lost answer show that
/// the call made nothing.
pub(crate) const CREATE_ATTEMPTS: u32 = 3;

/// What differs between container and function tokens.
pub(crate) struct TokenKind {
    /// The Terraform type.
    pub(crate) ty: &'static str,
    /// The product path segment (`containers`, `functions`).
    pub(crate) product: &'static str,
    /// The attribute naming a single parent (`container_id`, `function_id`).
    pub(crate) parent: &'static str,
}

/// A token answer, whichever product it came from.
pub(crate) struct TokenView {
    pub(crate) id: Uuid,
    pub(crate) token: Secret,
    pub(crate) parent_id: Option<Uuid>,
    pub(crate) namespace_id: Option<Uuid>,
    pub(crate) description: String,
    pub(crate) expires_at: Option<jiff::Timestamp>,
}

/// What a create sends, whichever product it goes to.
pub(crate) struct NewToken {
    pub(crate) parent_id: Option<Uuid>,
    pub(crate) namespace_id: Option<Uuid>,
    pub(crate) description: Option<String>,
    pub(crate) expires_at: Option<jiff::Timestamp>,
}

impl TokenKind {
    fn tokens_path(&self, region: &str) -> String {
        format!("/{}/v1beta1/regions/{region}/tokens", self.product)
    }

    fn token_path(&self, attrs: &Attributes) -> Result<(String, String), ResourceError> {
        let id = Fields::new(self.ty, attrs)
            .str("id")?
            .ok_or_else(|| ResourceError::invalid(self.ty, "id", "is not set"))?;
        let (region, uuid) = parse_regional_id(self.ty, "id", id)?;
        let path = format!("{}/{uuid}", self.tokens_path(&region));
        Ok((region, path))
    }

    fn state(&self, base: &Attributes, region: &str, t: &TokenView) -> Attributes {
        let mut out = base.clone();
        // As the provider's Read: what the token does not have is recorded as `""`.
        let reference = |id: Option<Uuid>| {
            Json::String(id.map_or_else(String::new, |u| regional_id(region, u)))
        };
        out.insert("id".into(), Json::String(regional_id(region, t.id)));
        out.insert(self.parent.into(), reference(t.parent_id));
        out.insert("namespace_id".into(), reference(t.namespace_id));
        out.insert("description".into(), Json::String(t.description.clone()));
        out.insert(
            "expires_at".into(),
            t.expires_at
                .map_or_else(|| Json::String(String::new()), timestamp),
        );
        out.insert("region".into(), Json::String(region.to_owned()));
        out
    }

    /// Builds the create request and picks the region: the configured one, else the one in a
    /// `{region}/{uuid}` reference, else the default. A reference in another region than the
    /// token's is refused, as the provider's locality check does.
    pub(crate) fn new_token(
        &self,
        cx: &ApiContext,
        desired: &Attributes,
    ) -> Result<(String, NewToken), ResourceError> {
        let f = Fields::new(self.ty, desired);
        let parent = f
            .ok_str(self.parent)?
            .map(|v| expand_id(self.ty, self.parent, v))
            .transpose()?;
        let namespace = f
            .ok_str("namespace_id")?
            .map(|v| expand_id(self.ty, "namespace_id", v))
            .transpose()?;
        if parent.is_some() == namespace.is_some() {
            return Err(ResourceError::invalid(
                self.ty,
                self.parent,
                format!(
                    "exactly one of `{}` and `namespace_id` must be set",
                    self.parent
                ),
            ));
        }
        let reference_region = parent
            .as_ref()
            .or(namespace.as_ref())
            .and_then(|(r, _)| r.clone());
        let region = match (f.ok_str("region")?, &reference_region) {
            (Some(r), _) => r.to_owned(),
            (None, Some(r)) => r.clone(),
            (None, None) => cx.defaults.region.clone(),
        };
        check_region(self.ty, &region)?;
        if let Some(other) = reference_region.filter(|r| *r != region) {
            return Err(ResourceError::invalid(
                self.ty,
                if parent.is_some() {
                    self.parent
                } else {
                    "namespace_id"
                },
                format!("is in region {other}, not in the token's region {region}"),
            ));
        }
        let expires_at = f
            .ok_str("expires_at")?
            .map(|s| {
                crate::timefmt::parse_rfc3339(s).ok_or_else(|| {
                    ResourceError::invalid(
                        self.ty,
                        "expires_at",
                        format!("{s:?} is not an RFC 3339 time"),
                    )
                })
            })
            .transpose()?;
        Ok((
            region,
            NewToken {
                parent_id: parent.map(|(_, u)| u),
                namespace_id: namespace.map(|(_, u)| u),
                description: f.ok_str("description")?.map(str::to_owned),
                expires_at,
            },
        ))
    }

    /// Sends the create and records the answer, secret included.
    ///
    /// Tokens have no name to be found by, so a create whose outcome is unknown (the answer
    /// was lost) is settled here, by what the parent's tokens were before the call: the tokens
    /// of the parent that were not there before and have the desired description and expiry
    /// are the ones the call may have made.
    /// - None: the call made nothing, and it is sent again (at most [`CREATE_ATTEMPTS`] times).
    /// - One: it is that token, but its secret, only ever in the lost answer, is gone. It is
    ///   returned as [`ResourceError::CreatedTainted`]: recorded tainted, so that the next
    ///   apply replaces it with a token whose secret is known.
    /// - Several (tokens made at the same time by someone else): none is taken or deleted,
    ///   and the error lists them.
    ///
    /// This relies on the list showing a token as soon as its create has answered, as the
    /// API's database-backed list does.
    pub(crate) async fn create<Req, Resp>(
        &self,
        cx: &ApiContext,
        desired: &Attributes,
        request: impl Fn(NewToken) -> Req,
        view: impl Fn(Resp) -> TokenView,
    ) -> Result<Outcome, ResourceError>
    where
        Req: serde::Serialize + Sync,
        Resp: serde::de::DeserializeOwned,
    {
        let (region, new) = self.new_token(cx, desired)?;
        let path = self.tokens_path(&region);
        let scope = self.scope_query(&new);
        let description = new.description.clone().unwrap_or_default();
        let expires_at = new.expires_at;
        let body = request(new);
        let mut before: Option<Vec<Uuid>> = None;
        let mut attempt = 1;
        let answer: Resp = loop {
            if before.is_none() {
                before = Some(
                    self.list(cx, &path, &scope, &view)
                        .await?
                        .iter()
                        .map(|t| t.id)
                        .collect(),
                );
            }
            let lost = match cx.client.post(&path, &body).await {
                Ok(answer) => break answer,
                Err(e) if e.is_outcome_unknown() => e,
                Err(e) => return Err(e.into()),
            };
            let known = before.as_deref().unwrap_or_default();
            // A failed listing leaves the outcome unknown: the journal's intent stays open.
            let Ok(listed) = self.list(cx, &path, &scope, &view).await else {
                return Err(lost.into());
            };
            let made: Vec<TokenView> = listed
                .into_iter()
                .filter(|t| {
                    !known.contains(&t.id)
                        && t.description == description
                        && t.expires_at == expires_at
                })
                .collect();
            match made.as_slice() {
                [] if attempt < CREATE_ATTEMPTS => attempt += 1,
                [] => return Err(lost.into()),
                [one] => {
                    let mut out = self.state(desired, &region, one);
                    out.insert("token".into(), Json::Null);
                    return Err(ResourceError::created_tainted(
                        self.ty,
                        out,
                        format!(
                            "its answer, the only place its secret is given, was lost ({lost})"
                        ),
                    ));
                }
                several => {
                    let ids: Vec<String> =
                        several.iter().map(|t| regional_id(&region, t.id)).collect();
                    let candidates = several
                        .iter()
                        .map(|t| {
                            let mut out = self.state(desired, &region, t);
                            out.insert("token".into(), Json::Null);
                            Outcome::new(out)
                        })
                        .collect();
                    return Err(ResourceError::Ambiguous {
                        type_name: self.ty,
                        found: ids.join(", "),
                        candidates,
                        cause: Box::new(lost),
                    });
                }
            }
        };
        let token = view(answer);
        let mut out = self.state(desired, &region, &token);
        out.insert(
            "token".into(),
            Json::String(token.token.expose().to_owned()),
        );
        Ok(Outcome::new(out))
    }

    /// The list filter selecting the tokens of the same parent as `new`.
    fn scope_query(&self, new: &NewToken) -> Query {
        Query::new()
            .with_opt(self.parent, new.parent_id)
            .with_opt("namespace_id", new.namespace_id)
    }

    /// Every token of a parent.
    async fn list<Resp>(
        &self,
        cx: &ApiContext,
        path: &str,
        scope: &Query,
        view: &impl Fn(Resp) -> TokenView,
    ) -> Result<Vec<TokenView>, ResourceError>
    where
        Resp: serde::de::DeserializeOwned,
    {
        let tokens: Vec<Resp> = cx.client.list_all(path, scope, "tokens", 100).await?;
        Ok(tokens.into_iter().map(view).collect())
    }

    /// Reads the token; `None` when gone. The secret is kept from `prior`.
    pub(crate) async fn read<Resp>(
        &self,
        cx: &ApiContext,
        prior: &Attributes,
        view: impl FnOnce(Resp) -> TokenView,
    ) -> Result<Option<Outcome>, ResourceError>
    where
        Resp: serde::de::DeserializeOwned,
    {
        let (region, path) = self.token_path(prior)?;
        match cx.client.get::<Resp>(&path, &Query::new()).await {
            Ok(answer) => Ok(Some(Outcome::new(self.state(
                prior,
                &region,
                &view(answer),
            )))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The tokens of the token's parent (its single parent, else its namespace), 100 a page.
    pub(crate) fn listing(&self, prior: &Attributes) -> Option<Listing> {
        let region = id_region(prior)?;
        let (filter, parent) = match reference_uuid(prior, self.parent) {
            Some(parent) => (self.parent, parent),
            None => ("namespace_id", reference_uuid(prior, "namespace_id")?),
        };
        Some(Listing::new(
            &self.tokens_path(region),
            Some((filter, &parent.to_string())),
            "tokens",
            100,
            prior.get("id")?.as_str()?,
        ))
    }

    /// What [`Self::read`] gives, from the token's item in its parent's list.
    pub(crate) fn read_listed<Resp>(
        &self,
        prior: &Attributes,
        item: Json,
        view: impl FnOnce(Resp) -> TokenView,
    ) -> Option<Outcome>
    where
        Resp: serde::de::DeserializeOwned,
    {
        let region = id_region(prior)?;
        let answer: Resp = serde_json::from_value(item).ok()?;
        Some(Outcome::new(self.state(prior, region, &view(answer))))
    }

    /// Deletes the token; already gone counts as deleted.
    pub(crate) async fn delete(
        &self,
        cx: &ApiContext,
        prior: &Attributes,
    ) -> Result<(), ResourceError> {
        let (_, path) = self.token_path(prior)?;
        // The answer (the token in `deleting`) carries nothing state needs.
        match cx.client.delete::<serde::de::IgnoredAny>(&path).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
