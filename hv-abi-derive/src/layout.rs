//! `#[derive(Layout)]`: published size/offsets -> const assertions + `TYPE_LAYOUT` table.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{Data, DeriveInput, Error, Fields, ItemStruct, LitStr, Result, spanned::Spanned};

use crate::util::{int_value, str_value};

struct StructSpec {
    tlfs: Option<LitStr>,
    size: Option<usize>,
    align: Option<usize>,
}

struct FieldSpec {
    offset: Option<usize>,
    tlfs: Option<LitStr>,
}

pub(crate) fn expand(input: &DeriveInput) -> Result<TokenStream> {
    if !input.generics.params.is_empty() {
        return Err(Error::new(
            input.generics.span(),
            "Layout: generic types have no single published layout",
        ));
    }
    let mut spec = StructSpec {
        tlfs: None,
        size: None,
        align: None,
    };
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("hv")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("tlfs") {
                spec.tlfs = Some(str_value(&meta)?);
            } else if meta.path.is_ident("size") {
                spec.size = Some(int_value(&meta)?);
            } else if meta.path.is_ident("align") {
                spec.align = Some(int_value(&meta)?);
            } else {
                return Err(meta.error("Layout: expected `tlfs`, `size` or `align`"));
            }
            Ok(())
        })?;
    }
    let ident = &input.ident;
    let name = ident.to_string();
    let tlfs = spec.tlfs.ok_or_else(|| {
        Error::new(
            ident.span(),
            "Layout: add #[hv(tlfs = \"HV_...\")] naming the published type",
        )
    })?;
    let size = spec.size.ok_or_else(|| {
        Error::new(
            ident.span(),
            "Layout: add #[hv(size = N)] with the published size in bytes",
        )
    })?;
    let Data::Struct(data) = &input.data else {
        return Err(Error::new(
            ident.span(),
            "Layout: only structs have a published field layout",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(Error::new(data.fields.span(), "Layout: fields must be named"));
    };

    let mut asserts = Vec::new();
    let mut rows = Vec::new();
    let mut previous: Option<(usize, String)> = None;
    for field in &fields.named {
        let fident = field.ident.as_ref().expect("named field");
        let fname = fident.to_string();
        let mut fspec = FieldSpec {
            offset: None,
            tlfs: None,
        };
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("hv")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("offset") {
                    fspec.offset = Some(int_value(&meta)?);
                } else if meta.path.is_ident("tlfs") {
                    fspec.tlfs = Some(str_value(&meta)?);
                } else {
                    return Err(meta.error("Layout: expected `offset` or `tlfs`"));
                }
                Ok(())
            })?;
        }
        let offset = fspec.offset.ok_or_else(|| {
            Error::new(
                fident.span(),
                format!("Layout: field `{fname}` needs #[hv(offset = N)] with its published offset"),
            )
        })?;
        if let Some((prev, prev_name)) = &previous {
            if offset <= *prev {
                return Err(Error::new(
                    fident.span(),
                    format!("Layout: field `{fname}` at offset {offset} does not come after `{prev_name}` at {prev}"),
                ));
            }
        }
        previous = Some((offset, fname.clone()));
        let ftlfs = fspec.tlfs.map_or_else(|| fname.clone(), |s| s.value());
        let ty = &field.ty;
        let msg = format!(
            "`{name}::{fname}` ({tlfs}.{ftlfs}) is not at the published offset {offset}",
            tlfs = tlfs.value()
        );
        asserts.push(quote_spanned! { fident.span() =>
            ::core::assert!(::core::mem::offset_of!(#ident, #fident) == #offset, #msg);
        });
        rows.push(quote! {
            ::hv_abi::layout::FieldLayout {
                name: #fname,
                tlfs_name: #ftlfs,
                offset: #offset,
                size: ::core::mem::size_of::<#ty>(),
            }
        });
    }
    let size_msg = format!("`{name}` ({}) is not the published {size} bytes", tlfs.value());
    asserts.push(quote! { ::core::assert!(::core::mem::size_of::<#ident>() == #size, #size_msg); });
    if let Some(align) = spec.align {
        let msg = format!(
            "`{name}` ({}) does not have the published {align}-byte alignment",
            tlfs.value()
        );
        asserts.push(quote! { ::core::assert!(::core::mem::align_of::<#ident>() == #align, #msg); });
    }

    Ok(quote! {
        const _: () = { #(#asserts)* };
        impl ::hv_abi::layout::Layout for #ident {
            const TYPE_LAYOUT: ::hv_abi::layout::TypeLayout = ::hv_abi::layout::TypeLayout {
                name: #name,
                tlfs_name: #tlfs,
                size: #size,
                align: ::core::mem::align_of::<#ident>(),
                fields: &[#(#rows),*],
            };
        }
    })
}

/// `#[layout(...)]`: the struct with doc aliases for its TLFS names, deriving `Layout` with `attr`. A
/// malformed `tlfs` is left for the derive to report, so the item is always emitted once.
pub(crate) fn aliases(attr: TokenStream, mut item: ItemStruct) -> TokenStream {
    let tlfs_of = |attrs: &[syn::Attribute], key: &str| -> Option<LitStr> {
        let mut found = None;
        for a in attrs.iter().filter(|a| a.path().is_ident(key)) {
            let _ = a.parse_nested_meta(|meta| {
                if meta.path.is_ident("tlfs") {
                    found = Some(str_value(&meta)?);
                } else {
                    // Skip the value of any other key (`offset = 8`).
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
        }
        found
    };
    let name = item.ident.to_string();
    let struct_tlfs = syn::parse::Parser::parse2(
        |input: syn::parse::ParseStream<'_>| {
            let metas = syn::punctuated::Punctuated::<syn::MetaNameValue, syn::Token![,]>::parse_terminated(input)?;
            Ok(metas
                .into_iter()
                .find(|m| m.path.is_ident("tlfs"))
                .and_then(|m| match m.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s), ..
                    }) => Some(s),
                    _ => None,
                }))
        },
        attr.clone(),
    )
    .ok()
    .flatten();
    if let Fields::Named(fields) = &mut item.fields {
        for f in &mut fields.named {
            let rust = f.ident.as_ref().map(ToString::to_string).unwrap_or_default();
            if let Some(t) = tlfs_of(&f.attrs, "hv").filter(|t| t.value() != rust) {
                f.attrs.push(syn::parse_quote!(#[doc(alias = #t)]));
            }
        }
    }
    let alias = struct_tlfs
        .filter(|t| t.value() != name)
        .map(|t| quote! { #[doc(alias = #t)] });
    // The test-value impls come with the attribute, for the crate's own wire structs (which are
    // `FromBytes` and `Debug`); a bare `#[derive(Layout)]` promises only the layout.
    let ident = &item.ident;
    let arbitrary = quote! { ::hv_abi::arbitrary_from_bytes!(#ident); };
    quote! {
        #alias
        #[derive(::hv_abi::Layout)]
        #[hv(#attr)]
        #item
        #arbitrary
    }
}
