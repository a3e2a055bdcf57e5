//! Text encodings of domain enums, so rows decode straight into domain types and a corrupt
//! value is a decode error rather than a silent default.

use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

use crate::domain::order::line::LineState;
use crate::domain::order::state::OrderState;
use crate::domain::org::{OrgKind, Role};
use crate::domain::partnership::PartnershipStatus;

macro_rules! text_enum_codec {
    ($ty:ty) => {
        impl Type<Any> for $ty {
            fn type_info() -> AnyTypeInfo {
                <String as Type<Any>>::type_info()
            }
        }

        impl<'q> Encode<'q, Any> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut <Any as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, Any>>::encode(self.as_str().to_owned(), buf)
            }
        }

        impl<'r> Decode<'r, Any> for $ty {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <String as Decode<'r, Any>>::decode(value)?;
                <$ty>::parse(&text)
                    .ok_or_else(|| format!("unknown {} {text:?}", stringify!($ty)).into())
            }
        }
    };
}

text_enum_codec!(OrgKind);
text_enum_codec!(Role);
text_enum_codec!(PartnershipStatus);
text_enum_codec!(OrderState);
text_enum_codec!(LineState);
