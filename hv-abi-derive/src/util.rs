//! Attribute parsing shared by the three macros.

use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Meta};

/// The text of every `#[doc = "..."]` attribute, one entry per line, trimmed.
pub(crate) fn doc_lines(attrs: &[Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The first paragraph of a doc comment joined into one line (empty when there is none).
pub(crate) fn summary(attrs: &[Attribute]) -> String {
    doc_lines(attrs)
        .into_iter()
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses `name = 123` as a `usize`/`u32` literal.
pub(crate) fn int_value<T: std::str::FromStr>(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<T>
where
    T::Err: std::fmt::Display,
{
    let lit: syn::LitInt = meta.value()?.parse()?;
    lit.base10_parse()
}

/// Parses `name = "text"`.
pub(crate) fn str_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    meta.value()?.parse()
}
