//! Outgoing e-mail: SMTP in production, `.eml` files under `DATA_DIR/mail` in development and
//! tests (the file sink is a real lettre transport; tests read the files to follow links).

use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;

#[derive(Clone)]
pub enum Mailer {
    File(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<(Self, String)> {
        match &config.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build();
                Ok((Mailer::Smtp(transport), config.mail_from.clone()))
            }
            None => {
                let dir = config.mail_dir();
                std::fs::create_dir_all(&dir)?;
                Ok((
                    Mailer::File(AsyncFileTransport::<Tokio1Executor>::new(dir)),
                    config.mail_from.clone(),
                ))
            }
        }
    }

    pub fn describe(&self, config: &Config) -> String {
        match self {
            Mailer::File(_) => format!("files in {}", config.mail_dir().display()),
            Mailer::Smtp(_) => "SMTP".to_owned(),
        }
    }

    pub async fn send(&self, from: &str, mail: Mail) -> anyhow::Result<()> {
        let message = Message::builder()
            .from(from.parse()?)
            .to(mail.to.parse()?)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)?;
        match self {
            Mailer::File(t) => {
                t.send(message).await?;
            }
            Mailer::Smtp(t) => {
                t.send(message).await?;
            }
        }
        Ok(())
    }
}
