//! `#[open_enum]`: an `impl` block of associated consts -> an open, named code space.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Error, ImplItem, ItemImpl, LitStr, Meta, Result, Type, parse::Parser, spanned::Spanned};

use crate::util::{str_value, summary};

pub(crate) fn expand(attr: TokenStream, item: &ItemImpl) -> Result<TokenStream> {
    let mut prefix: Option<LitStr> = None;
    let mut repr: Option<syn::Ident> = None;
    syn::meta::parser(|meta| {
        if meta.path.is_ident("prefix") {
            prefix = Some(str_value(&meta)?);
            Ok(())
        } else if let Some(id) = meta
            .path
            .get_ident()
            .filter(|id| ["u8", "u16", "u32", "u64"].contains(&&*id.to_string()))
        {
            repr = Some(id.clone());
            Ok(())
        } else {
            Err(meta.error("open_enum: expected the storage type (u8..u64) and optionally `prefix = \"...\"`"))
        }
    })
    .parse2(attr)?;
    let repr = repr.ok_or_else(|| {
        Error::new(
            item.self_ty.span(),
            "open_enum: name the storage type: #[open_enum(u16)]",
        )
    })?;
    if item.trait_.is_some() {
        return Err(Error::new(
            item.span(),
            "open_enum: put it on an inherent `impl Type { const ... }` block",
        ));
    }
    let Type::Path(self_path) = &*item.self_ty else {
        return Err(Error::new(item.self_ty.span(), "open_enum: expected a named type"));
    };
    let type_name = self_path
        .path
        .segments
        .last()
        .expect("path has a segment")
        .ident
        .to_string();

    let mut out = item.clone();
    let mut named = Vec::new();
    let mut aliases = Vec::new();
    for it in &mut out.items {
        let ImplItem::Const(c) = it else { continue };
        let mut tlfs = None;
        let mut alias = false;
        let mut kept = Vec::new();
        for a in c.attrs.drain(..) {
            if a.path().is_ident("tlfs") {
                match &a.meta {
                    Meta::NameValue(syn::MetaNameValue {
                        value:
                            syn::Expr::Lit(syn::ExprLit {
                                lit: syn::Lit::Str(s), ..
                            }),
                        ..
                    }) => tlfs = Some(s.value()),
                    _ => return Err(Error::new(a.span(), "open_enum: write #[tlfs = \"Name\"]")),
                }
            } else if a.path().is_ident("alias") {
                alias = true;
            } else {
                kept.push(a);
            }
        }
        let ident = c.ident.clone();
        let tlfs = match (tlfs, &prefix) {
            (Some(t), _) => t,
            (None, Some(p)) => format!("{}{}", p.value(), ident),
            (None, None) => {
                return Err(Error::new(
                    ident.span(),
                    "open_enum: give the TLFS name with #[tlfs = \"...\"] or a prefix",
                ));
            }
        };
        let text = summary(&kept);
        if text.is_empty() {
            return Err(Error::new(
                ident.span(),
                format!("open_enum: `{ident}` needs a doc comment: it is its description"),
            ));
        }
        // The value and the TLFS name in the const's own docs, and the name as a rustdoc search alias.
        let value = match &c.expr {
            syn::Expr::Call(call) if call.args.len() == 1 => {
                quote::ToTokens::to_token_stream(&call.args[0]).to_string()
            }
            other => quote::ToTokens::to_token_stream(other).to_string(),
        };
        let value_doc = format!("`{tlfs}` = `{value}`.");
        c.attrs = kept;
        c.attrs.push(syn::parse_quote!(#[doc = ""]));
        c.attrs.push(syn::parse_quote!(#[doc = #value_doc]));
        if ident != tlfs {
            c.attrs.push(syn::parse_quote!(#[doc(alias = #tlfs)]));
        }
        if alias {
            aliases.push((ident, tlfs));
        } else {
            named.push((ident, tlfs, text));
        }
    }

    let self_ty = &item.self_ty;
    let named_rows = named.iter().map(|(i, t, _)| quote! { (#t, Self::#i) });
    let alias_rows = aliases.iter().map(|(i, t)| quote! { (#t, Self::#i) });
    let name_arms = named
        .iter()
        .map(|(i, t, _)| quote! { Self::#i => ::core::option::Option::Some(#t), });
    let text_arms = named
        .iter()
        .map(|(i, _, d)| quote! { Self::#i => ::core::option::Option::Some(#d), });
    let from_arms = named
        .iter()
        .map(|(i, t, _)| (i, t))
        .chain(aliases.iter().map(|(i, t)| (i, t)))
        .map(|(i, t)| quote! { #t => ::core::option::Option::Some(Self::#i), });

    Ok(quote! {
        #out

        impl #self_ty {
            /// Wraps a raw value; every value is kept, named or not.
            #[must_use]
            pub const fn from_bits(bits: #repr) -> Self {
                Self(bits)
            }

            /// The raw value.
            #[must_use]
            pub const fn into_bits(self) -> #repr {
                self.0
            }

            /// Every named value with its TLFS name, in declaration order (aliases are in `ALIASES`).
            pub const NAMED: &'static [(&'static str, Self)] = &[#(#named_rows),*];

            /// Names that other sources give to values already in `NAMED`; `from_name` accepts them.
            pub const ALIASES: &'static [(&'static str, Self)] = &[#(#alias_rows),*];

            /// The TLFS name of this value, or `None` for a value no source names.
            #[must_use]
            pub const fn name(self) -> ::core::option::Option<&'static str> {
                match self {
                    #(#name_arms)*
                    _ => ::core::option::Option::None,
                }
            }

            /// The documented meaning of this value, or `None` for a value no source names.
            #[must_use]
            pub const fn description(self) -> ::core::option::Option<&'static str> {
                match self {
                    #(#text_arms)*
                    _ => ::core::option::Option::None,
                }
            }

            /// The value with this TLFS name (exact, case-sensitive; aliases included).
            #[must_use]
            pub fn from_name(name: &str) -> ::core::option::Option<Self> {
                match name {
                    #(#from_arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }

        #[cfg(feature = "proptest")]
        impl ::proptest::arbitrary::Arbitrary for #self_ty {
            type Parameters = ();
            type Strategy = ::proptest::strategy::BoxedStrategy<Self>;
            /// A named value three times in four, otherwise any value.
            fn arbitrary_with((): ()) -> Self::Strategy {
                use ::proptest::strategy::Strategy as _;
                let any = ::proptest::arbitrary::any::<#repr>().prop_map(Self::from_bits);
                let named: ::std::vec::Vec<Self> = Self::NAMED.iter().map(|&(_, v)| v).collect();
                if named.is_empty() {
                    return any.boxed();
                }
                ::proptest::prop_oneof![3 => ::proptest::sample::select(named), 1 => any].boxed()
            }
        }

        #[cfg(feature = "arbitrary")]
        impl<'a> ::arbitrary::Arbitrary<'a> for #self_ty {
            /// A named value or any value, as the input decides.
            fn arbitrary(u: &mut ::arbitrary::Unstructured<'a>) -> ::arbitrary::Result<Self> {
                if !Self::NAMED.is_empty() && u.arbitrary::<bool>()? {
                    return ::core::result::Result::Ok(u.choose(Self::NAMED)?.1);
                }
                ::core::result::Result::Ok(Self::from_bits(u.arbitrary()?))
            }
        }

        impl ::core::fmt::Debug for #self_ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    ::core::option::Option::Some(n) => f.write_str(n),
                    ::core::option::Option::None => ::core::write!(
                        f, "{}({:#0w$x})", #type_name, self.0, w = 2 + 2 * ::core::mem::size_of_val(&self.0)
                    ),
                }
            }
        }

        impl ::core::fmt::Display for #self_ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    ::core::option::Option::Some(n) => f.write_str(n),
                    ::core::option::Option::None => {
                        ::core::write!(f, "{:#0w$x}", self.0, w = 2 + 2 * ::core::mem::size_of_val(&self.0))
                    }
                }
            }
        }
    })
}
