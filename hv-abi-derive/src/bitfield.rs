//! `#[bitfield(uN)]`: a struct of documented bit ranges -> an integer newtype with const accessors.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{
    Attribute, Error, Expr, ExprLit, ExprRange, Fields, Ident, ItemStruct, Lit, LitInt, LitStr, RangeLimits, Result,
    Type, parse::Parser, spanned::Spanned,
};

use crate::util::str_value;

/// What a field's declared type asks the macro to generate.
enum Kind {
    Bool,
    /// `u8`..`u64`, with its width in bits.
    Uint(u32),
    /// A named reserved range: no accessor.
    Reserved,
    /// A type with `const fn from_bits(uN)` / `into_bits(self) -> uN`.
    Custom,
}

struct Field {
    ident: Ident,
    tlfs: String,
    lsb: u32,
    msb: u32,
    ty: Type,
    kind: Kind,
    vis: syn::Visibility,
    docs: Vec<Attribute>,
    span: Span,
}

fn uint_width(ident: &Ident) -> Option<u32> {
    match ident.to_string().as_str() {
        "u8" => Some(8),
        "u16" => Some(16),
        "u32" => Some(32),
        "u64" => Some(64),
        _ => None,
    }
}

fn lit_u32(expr: &Expr) -> Result<u32> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) => i.base10_parse(),
        other => Err(Error::new(other.span(), "bitfield: expected a bit number")),
    }
}

/// Parses `#[bits(3)]`, `#[bits(0..=15)]`, optionally followed by `, tlfs = "Name"`.
fn parse_bits(attr: &Attribute) -> Result<(u32, u32, Option<LitStr>)> {
    let mut range = None;
    let mut tlfs = None;
    let parser = |input: syn::parse::ParseStream<'_>| -> Result<()> {
        let expr: Expr = input.parse()?;
        range = Some(match &expr {
            Expr::Range(ExprRange {
                start: Some(s),
                end: Some(e),
                limits: RangeLimits::Closed(_),
                ..
            }) => (lit_u32(s)?, lit_u32(e)?),
            Expr::Range(r) => {
                return Err(Error::new(
                    r.span(),
                    "bitfield: write the range as `lsb..=msb`, as the TLFS tables do",
                ));
            }
            single => {
                let bit = lit_u32(single)?;
                (bit, bit)
            }
        });
        while input.parse::<syn::Token![,]>().is_ok() {
            if input.is_empty() {
                break;
            }
            let meta = input.parse::<syn::MetaNameValue>()?;
            if !meta.path.is_ident("tlfs") {
                return Err(Error::new(meta.path.span(), "bitfield: expected `tlfs = \"Name\"`"));
            }
            match meta.value {
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => tlfs = Some(s),
                other => return Err(Error::new(other.span(), "bitfield: `tlfs` takes a string")),
            }
        }
        Ok(())
    };
    parser.parse2(attr.meta.require_list()?.tokens.clone())?;
    let (lsb, msb) = range.expect("parsed");
    if msb < lsb {
        return Err(Error::new(
            attr.span(),
            format!("bitfield: range {lsb}..={msb} is backwards; write lsb..=msb"),
        ));
    }
    Ok((lsb, msb, tlfs))
}

fn storage_ident(width: u32) -> Ident {
    let bits: u32 = match width {
        0..=8 => 8,
        9..=16 => 16,
        17..=32 => 32,
        _ => 64,
    };
    format_ident!("u{}", bits)
}

fn hex(value: u128) -> LitInt {
    LitInt::new(&format!("{value:#x}"), Span::call_site())
}

fn mask(width: u32) -> u128 {
    (1u128 << width) - 1
}

pub(crate) fn expand(attr: TokenStream, item: &ItemStruct) -> Result<TokenStream> {
    let mut repr: Option<Ident> = None;
    let mut tlfs: Option<LitStr> = None;
    syn::meta::parser(|meta| {
        if meta.path.is_ident("tlfs") {
            tlfs = Some(str_value(&meta)?);
        } else if let Some(id) = meta.path.get_ident().filter(|id| uint_width(id).is_some()) {
            repr = Some(id.clone());
        } else {
            return Err(meta.error("bitfield: expected the storage type (u8, u16, u32, u64) and `tlfs = \"...\"`"));
        }
        Ok(())
    })
    .parse2(attr)?;
    let name = &item.ident;
    let repr = repr.ok_or_else(|| Error::new(name.span(), "bitfield: name the storage type: #[bitfield(u32, ...)]"))?;
    let tlfs =
        tlfs.ok_or_else(|| Error::new(name.span(), "bitfield: add tlfs = \"HV_...\" naming the published type"))?;
    let width = uint_width(&repr).expect("checked above");
    if !item.generics.params.is_empty() {
        return Err(Error::new(
            item.generics.span(),
            "bitfield: generic bitfields are not supported",
        ));
    }
    let Fields::Named(named) = &item.fields else {
        return Err(Error::new(
            item.fields.span(),
            "bitfield: fields must be named, one per bit range",
        ));
    };

    let mut fields = Vec::new();
    for f in &named.named {
        let ident = f.ident.clone().expect("named");
        let bits_attrs: Vec<_> = f.attrs.iter().filter(|a| a.path().is_ident("bits")).collect();
        let [bits_attr] = bits_attrs.as_slice() else {
            return Err(Error::new(
                ident.span(),
                format!("bitfield: field `{ident}` needs exactly one #[bits(lsb..=msb)]"),
            ));
        };
        let (lsb, msb, ftlfs) = parse_bits(bits_attr)?;
        if msb >= width {
            return Err(Error::new(
                bits_attr.span(),
                format!("bitfield: bit {msb} of `{ident}` is outside the {width}-bit `{repr}`"),
            ));
        }
        let fwidth = msb - lsb + 1;
        let kind = match &f.ty {
            Type::Path(p) if p.path.is_ident("bool") => Kind::Bool,
            Type::Path(p) if p.path.is_ident("Reserved") => Kind::Reserved,
            Type::Path(p) if p.path.get_ident().and_then(uint_width).is_some() => {
                Kind::Uint(uint_width(p.path.get_ident().expect("ident")).expect("uint"))
            }
            _ => Kind::Custom,
        };
        match kind {
            Kind::Bool if fwidth != 1 => {
                return Err(Error::new(
                    f.ty.span(),
                    format!("bitfield: `{ident}` is {fwidth} bits wide; `bool` holds one"),
                ));
            }
            Kind::Uint(w) if w < fwidth => {
                return Err(Error::new(
                    f.ty.span(),
                    format!("bitfield: `{ident}` is {fwidth} bits wide; `u{w}` holds only {w}"),
                ));
            }
            _ => {}
        }
        let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc")).cloned().collect();
        fields.push(Field {
            tlfs: ftlfs.map_or_else(|| ident.to_string(), |s| s.value()),
            span: ident.span(),
            ident,
            lsb,
            msb,
            ty: f.ty.clone(),
            kind,
            vis: f.vis.clone(),
            docs,
        });
    }

    // Every bit is claimed by exactly one field.
    let mut owner: Vec<Option<&Field>> = vec![None; width as usize];
    for f in &fields {
        for bit in f.lsb..=f.msb {
            if let Some(other) = owner[bit as usize] {
                return Err(Error::new(
                    f.span,
                    format!(
                        "bitfield: bits {}..={} of `{}` overlap bits {}..={} of `{}`",
                        f.lsb, f.msb, f.ident, other.lsb, other.msb, other.ident
                    ),
                ));
            }
            owner[bit as usize] = Some(f);
        }
    }
    let mut gaps = Vec::new();
    let mut bit = 0;
    while bit < width {
        if owner[bit as usize].is_none() {
            let start = bit;
            while bit < width && owner[bit as usize].is_none() {
                bit += 1;
            }
            gaps.push(format!("{start}..={}", bit - 1));
        } else {
            bit += 1;
        }
    }
    if !gaps.is_empty() {
        return Err(Error::new(
            name.span(),
            format!(
                "bitfield: bits {} of `{name}` belong to no field; name them with a `Reserved` field",
                gaps.join(", ")
            ),
        ));
    }

    let reserved_mask: u128 = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Reserved))
        .map(|f| mask(f.msb - f.lsb + 1) << f.lsb)
        .sum();
    let reserved_mask = hex(reserved_mask);

    let mut accessors = Vec::new();
    let mut debug_fields = Vec::new();
    let mut rows = Vec::new();
    for f in &fields {
        let Field {
            ident,
            ty,
            vis,
            docs,
            lsb,
            msb,
            ..
        } = f;
        let fname = ident.to_string();
        let ftlfs = &f.tlfs;
        let reserved = matches!(f.kind, Kind::Reserved);
        rows.push(quote! {
            ::hv_abi::layout::BitfieldField { name: #fname, tlfs_name: #ftlfs, lsb: #lsb as u8, msb: #msb as u8, reserved: #reserved }
        });
        if reserved {
            continue;
        }
        let fwidth = msb - lsb + 1;
        let m = hex(mask(fwidth));
        let raw = quote! { ((self.0 >> #lsb) & #m) };
        let (get, put) = match f.kind {
            Kind::Bool => (quote! { #raw != 0 }, quote! { value as #repr }),
            Kind::Uint(_) => (quote! { #raw as #ty }, quote! { value as #repr }),
            Kind::Custom => {
                let st = storage_ident(fwidth);
                (
                    quote! { <#ty>::from_bits(#raw as #st) },
                    quote! { <#ty>::into_bits(value) as #repr },
                )
            }
            Kind::Reserved => unreachable!("skipped above"),
        };
        let range = if lsb == msb {
            format!("bit {lsb}")
        } else {
            format!("bits {lsb}..={msb}")
        };
        let get_doc = format!("{range} (TLFS `{ftlfs}`).");
        let with = format_ident!("with_{}", ident);
        let with_doc = if matches!(f.kind, Kind::Bool) {
            format!("Returns a copy with [`{fname}`](Self::{fname}) ({range}) set to `value`.")
        } else {
            format!(
                "Returns a copy with [`{fname}`](Self::{fname}) ({range}) set to `value`; \
                 bits of `value` above the field's {fwidth}-bit width are discarded."
            )
        };
        let sep = if docs.is_empty() { quote!() } else { quote!(#[doc = ""]) };
        let alias = if *ftlfs == fname {
            quote!()
        } else {
            quote!(#[doc(alias = #ftlfs)])
        };
        let try_with = if matches!(f.kind, Kind::Bool) {
            quote!()
        } else {
            let try_with = format_ident!("try_with_{}", ident);
            let try_doc = format!(
                "Returns a copy with [`{fname}`](Self::{fname}) ({range}) set to `value`, or \
                 [`FieldOverflow`](::hv_abi::layout::FieldOverflow) when `value` needs more than {fwidth} bits."
            );
            quote! {
                #[doc = #try_doc]
                #vis const fn #try_with(self, value: #ty) -> ::core::result::Result<Self, ::hv_abi::layout::FieldOverflow> {
                    let raw = (#put) as u64;
                    if raw > (#m as u64) {
                        return ::core::result::Result::Err(::hv_abi::layout::FieldOverflow {
                            field: #fname,
                            value: raw,
                            bits: #fwidth as u8,
                        });
                    }
                    ::core::result::Result::Ok(self.#with(value))
                }
            }
        };
        accessors.push(quote! {
            #(#docs)*
            #sep
            #[doc = #get_doc]
            #alias
            #[must_use]
            #vis const fn #ident(self) -> #ty { #get }

            #[doc = #with_doc]
            #[must_use]
            #vis const fn #with(self, value: #ty) -> Self {
                Self((self.0 & !(#m << #lsb)) | (((#put) & #m) << #lsb))
            }

            #try_with
        });
        debug_fields.push(quote! { .field(#fname, &self.#ident()) });
    }

    let vis = &item.vis;
    let attrs: Vec<_> = item.attrs.iter().collect();
    let unaligned = if width == 8 {
        quote!(::zerocopy::Unaligned,)
    } else {
        quote!()
    };
    let name_str = name.to_string();
    let struct_alias = if tlfs.value() == name_str {
        quote!()
    } else {
        quote!(#[doc(alias = #tlfs)])
    };
    Ok(quote! {
        #(#attrs)*
        #struct_alias
        #[repr(transparent)]
        #[derive(
            ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash,
            ::core::default::Default, ::zerocopy::FromBytes, ::zerocopy::IntoBytes, ::zerocopy::KnownLayout,
            ::zerocopy::Immutable, #unaligned
        )]
        #vis struct #name(#repr);

        impl #name {
            /// The bits that the published layout reserves; see [`reserved_bits`](Self::reserved_bits).
            pub const RESERVED_MASK: #repr = #reserved_mask;

            /// The value with every bit zero.
            #[must_use]
            pub const fn new() -> Self { Self(0) }

            /// Wraps a raw value; every bit, reserved ones included, is kept.
            #[must_use]
            pub const fn from_bits(bits: #repr) -> Self { Self(bits) }

            /// The raw value, every bit as it was set.
            #[must_use]
            pub const fn into_bits(self) -> #repr { self.0 }

            /// The reserved bits that are set (zero in a well-formed value).
            #[must_use]
            pub const fn reserved_bits(self) -> #repr { self.0 & Self::RESERVED_MASK }

            #(#accessors)*
        }

        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut s = f.debug_struct(#name_str);
                s #(#debug_fields)*;
                if self.reserved_bits() != 0 {
                    s.field("reserved_bits", &::core::format_args!("{:#x}", self.reserved_bits()));
                }
                s.finish()
            }
        }

        #[cfg(feature = "proptest")]
        impl ::proptest::arbitrary::Arbitrary for #name {
            type Parameters = ();
            type Strategy = ::proptest::strategy::Map<<#repr as ::proptest::arbitrary::Arbitrary>::Strategy, fn(#repr) -> Self>;
            /// Any value, reserved bits included.
            fn arbitrary_with((): ()) -> Self::Strategy {
                ::proptest::strategy::Strategy::prop_map(::proptest::arbitrary::any::<#repr>(), Self::from_bits as fn(#repr) -> Self)
            }
        }

        #[cfg(feature = "arbitrary")]
        impl<'a> ::arbitrary::Arbitrary<'a> for #name {
            /// Any value, reserved bits included.
            fn arbitrary(u: &mut ::arbitrary::Unstructured<'a>) -> ::arbitrary::Result<Self> {
                ::core::result::Result::Ok(Self::from_bits(u.arbitrary()?))
            }
        }

        impl ::core::convert::From<#repr> for #name {
            /// Wraps a raw value, as [`from_bits`](Self::from_bits) does.
            fn from(bits: #repr) -> Self { Self(bits) }
        }

        impl ::core::convert::From<#name> for #repr {
            /// The raw value, as [`into_bits`](#name::into_bits) gives it.
            fn from(value: #name) -> Self { value.0 }
        }

        impl ::hv_abi::layout::Bitfield for #name {
            const BITFIELD: ::hv_abi::layout::BitfieldLayout = ::hv_abi::layout::BitfieldLayout {
                name: #name_str,
                tlfs_name: #tlfs,
                width: #width as u8,
                fields: &[#(#rows),*],
            };
        }
    })
}
