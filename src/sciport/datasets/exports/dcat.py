"""DCAT 3 (W3C Data Catalog Vocabulary) of a version, as JSON-LD and Turtle, for catalogues such as data.europa.eu or CKAN.

The graph is built with ``rdflib`` so both serialisations say exactly the same triples.
Files become ``dcat:Distribution``s with their download URL, size, IANA media type and
an ``spdx:checksum`` (SHA-256); fields of science become ``dcat:theme`` concepts.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD
from rdflib.term import Node

from sciport.datasets.exports import record as records
from sciport.datasets.taxonomy import SCHEME_URI

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open: rdflib's closed DCAT lacks DCAT 3 terms such as dcat:version
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
PREFIXES = {"dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "skos": SKOS, "spdx": SPDX, "vcard": VCARD, "locn": LOCN, "gsp": GSP}


def _text(text: records.Text) -> Literal:
    return Literal(text.value, lang=text.lang or None)


def _creator(graph: Graph, person: records.presenting.Person) -> Node:
    node: Node = URIRef(person.orcid_url) if person.orcid_url else BNode()
    graph.add((node, RDF.type, FOAF.Person if person.orcid_url else FOAF.Agent))
    graph.add((node, FOAF.name, Literal(person.name)))
    if person.orcid_url:
        graph.add((node, VCARD.hasUID, URIRef(person.orcid_url)))
    for affiliation in person.affiliations:
        organisation: Node = URIRef(affiliation.ror_url) if affiliation.ror_url else BNode()
        graph.add((organisation, RDF.type, FOAF.Organization))
        graph.add((organisation, FOAF.name, Literal(affiliation.name)))
        graph.add((organisation, FOAF.member, node))
    return node


def _place(graph: Graph, place: records.Place) -> Node:
    node = BNode()
    graph.add((node, RDF.type, DCTERMS.Location))
    if place.name:
        graph.add((node, SKOS.prefLabel, Literal(place.name)))
    if place.latitude is not None and place.longitude is not None:
        graph.add((node, DCAT.centroid, Literal(f"POINT({place.longitude} {place.latitude})", datatype=GSP.wktLiteral)))
    return node


def _theme(graph: Graph, theme: records.Theme) -> Node:
    node = URIRef(f"{SCHEME_URI}#{theme.code}")
    graph.add((node, RDF.type, SKOS.Concept))
    graph.add((node, SKOS.notation, Literal(theme.code)))
    graph.add((node, SKOS.inScheme, URIRef(SCHEME_URI)))
    for label in theme.labels:
        graph.add((node, SKOS.prefLabel, _text(label)))
    return node


def _distributions(graph: Graph, dataset: Node, record: records.Record) -> None:
    url_of = records.download_urls()
    for file in records.files_of(record):
        download = url_of(file)
        node = URIRef(download)
        graph.add((dataset, DCAT.distribution, node))
        graph.add((node, RDF.type, DCAT.Distribution))
        graph.add((node, DCTERMS.title, Literal(file.path)))
        graph.add((node, DCAT.downloadURL, node))
        graph.add((node, DCAT.accessURL, URIRef(record.landing_url)))
        graph.add((node, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
        if file.media_type:
            graph.add((node, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + file.media_type)))
        if record.licence_url:
            graph.add((node, DCTERMS.license, URIRef(record.licence_url)))
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))


def graph_of(record: records.Record) -> Graph:
    """The ``dcat:Dataset`` of the version, its agents, themes, places and one distribution per file."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    dataset = URIRef(record.identifier_url or record.landing_url)
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(record.identifier)))
    graph.add((dataset, DCAT.landingPage, URIRef(record.landing_url)))
    graph.add((dataset, DCAT.version, Literal(str(record.version.version_number))))
    for predicate, texts in (
        (DCTERMS.title, record.titles),
        (DCTERMS.description, record.descriptions),
        (DCAT.keyword, record.keywords),
    ):
        for text in texts:
            graph.add((dataset, predicate, _text(text)))
    if record.issued is not None:
        graph.add((dataset, DCTERMS.issued, Literal(record.issued, datatype=XSD.dateTime)))
    graph.add((dataset, DCTERMS.modified, Literal(record.modified, datatype=XSD.dateTime)))
    if record.publisher:
        publisher = BNode()
        graph.add((publisher, RDF.type, FOAF.Organization))
        graph.add((publisher, FOAF.name, Literal(record.publisher)))
        graph.add((dataset, DCTERMS.publisher, publisher))
    for person in record.creators:
        graph.add((dataset, DCTERMS.creator, _creator(graph, person)))
    if record.licence_url:
        graph.add((dataset, DCTERMS.license, URIRef(record.licence_url)))
    for theme in record.themes:
        graph.add((dataset, DCAT.theme, _theme(graph, theme)))
    for place in record.places:
        graph.add((dataset, DCTERMS.spatial, _place(graph, place)))
    _distributions(graph, dataset, record)
    return graph


def to_turtle(record: records.Record) -> str:
    return graph_of(record).serialize(format="turtle")


def to_jsonld(record: records.Record) -> str:
    context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    return graph_of(record).serialize(format="json-ld", context=context, indent=2)
