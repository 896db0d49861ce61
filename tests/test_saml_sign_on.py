"""SAML single sign-on for institutions: our service-provider metadata and the AuthnRequest.

The identity provider is configured as data (a SocialApp), the way an operator adds one
in the admin. A full signed-assertion round trip needs an IdP; here we check what we
send and publish, with the real python3-saml/xmlsec stack.
"""

import base64
import zlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.models import SocialApp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client
from lxml import etree

from sciport.accounts.models import User

HOST = "sciport.example.org"
SSO_URL = "https://idp.shencheng.edu.cn/saml/sso"
IDP_ENTITY = "https://idp.shencheng.edu.cn/saml"
SAML_NS = {
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
}


def _self_signed_certificate() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.shencheng.edu.cn")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)


@pytest.fixture
def saml_app(db, settings):
    settings.ALLOWED_HOSTS = [HOST]
    return SocialApp.objects.create(
        provider="saml",
        provider_id="shencheng-saml",
        name="Shencheng University (SAML)",
        client_id="shencheng",
        settings={
            "attribute_mapping": {"uid": "urn:oid:0.9.2342.19200300.100.1.1", "email": "urn:oid:0.9.2342.19200300.100.1.3"},
            "idp": {"entity_id": IDP_ENTITY, "sso_url": SSO_URL, "x509cert": _self_signed_certificate()},
        },
    )


def test_service_provider_metadata_is_valid_saml(saml_app):
    response = Client(HTTP_HOST=HOST).get("/accounts/saml/shencheng/metadata/")
    assert response.status_code == 200
    document = etree.fromstring(response.content)
    assert document.tag == "{urn:oasis:names:tc:SAML:2.0:metadata}EntityDescriptor"
    acs = document.find(".//md:AssertionConsumerService", SAML_NS)
    assert acs is not None
    assert acs.get("Location").endswith("/accounts/saml/shencheng/acs/")


def test_login_sends_an_authn_request_to_the_institution(saml_app):
    response = Client(HTTP_HOST=HOST).post("/accounts/saml/shencheng/login/")
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == SSO_URL
    encoded = parse_qs(location.query)["SAMLRequest"][0]
    request_xml = zlib.decompress(base64.b64decode(encoded), -15)
    request = etree.fromstring(request_xml)
    assert request.tag == "{urn:oasis:names:tc:SAML:2.0:protocol}AuthnRequest"
    assert request.get("Destination") == SSO_URL
    assert request.get("AssertionConsumerServiceURL").endswith("/accounts/saml/shencheng/acs/")


def test_a_forged_assertion_is_refused(saml_app):
    forged = base64.b64encode(b"<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'/>").decode()
    browser = Client(HTTP_HOST=HOST)
    browser.post("/accounts/saml/shencheng/acs/", {"SAMLResponse": forged}, follow=True)
    assert not User.objects.exists()
    assert browser.get("/api/v1/me").status_code == 401
