# Install rules and the Debian package (CPack DEB): `cmake --build BUILD --target package`, or
# `cpack` in BUILD, or scripts/package-deb. docs/deploy-debian.md says what the package holds;
# tests/deploy/deb_package_test.py builds, installs and runs it.
#
#   /usr/bin/guardfeed                          the binary (stripped)
#   /etc/guardfeed/guardfeed.toml               the built-in configuration with the state under
#                                               /var/lib/guardfeed (a conffile: upgrades keep it)
#   /lib/systemd/system/guardfeed.service       deploy/systemd/guardfeed.service, as is
#   /usr/share/doc/guardfeed/                   README, CHANGELOG, docs/*.md, the example config
include(GNUInstallDirs)

# The packaged configuration is the built-in one (config/guardfeed.example.toml, which the binary
# embeds: src/cli/builtin_config.h) with the two relative paths moved into the state directory
# systemd creates (StateDirectory=guardfeed). Regenerated whenever the example changes; a change
# that removes either line stops the configure step instead of shipping the wrong paths.
set(GUARDFEED_PACKAGED_CONFIG ${PROJECT_BINARY_DIR}/packaging/guardfeed.toml)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/config/guardfeed.example.toml)
file(READ ${PROJECT_SOURCE_DIR}/config/guardfeed.example.toml guardfeed_config_text)
set(guardfeed_config_header
"# /etc/guardfeed/guardfeed.toml, installed by the guardfeed Debian package (a conffile: upgrades
# keep your changes). It is guardfeed's built-in configuration with the store and the published
# feeds under /var/lib/guardfeed, the state directory systemd gives the service. After editing:
# `guardfeed -c /etc/guardfeed/guardfeed.toml config check`, then `systemctl reload guardfeed`
# (store.url and server.listen need `systemctl restart guardfeed`). Secrets (ingest_token,
# admin_token) belong in /etc/guardfeed/guardfeed.env as GUARDFEED_INGEST_TOKEN=... and
# GUARDFEED_ADMIN_TOKEN=..., not here: this file is world-readable (docs/deploy-debian.md).
#
")
foreach(pair
    "url = \"sqlite://guardfeed-data/guardfeed.db\"|url = \"sqlite:///var/lib/guardfeed/state.db\""
    "directory = \"guardfeed-data/public\"|directory = \"/var/lib/guardfeed/public\"")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  string(FIND "${guardfeed_config_text}" "\n${from}\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "config/guardfeed.example.toml has no line '${from}': update "
                        "cmake/Packaging.cmake so the packaged configuration keeps its state in "
                        "/var/lib/guardfeed")
  endif()
  string(REPLACE "\n${from}\n" "\n${to}\n" guardfeed_config_text "${guardfeed_config_text}")
endforeach()
# Written through configure_file so an unchanged text keeps its timestamp.
file(WRITE ${GUARDFEED_PACKAGED_CONFIG}.new "${guardfeed_config_header}${guardfeed_config_text}")
configure_file(${GUARDFEED_PACKAGED_CONFIG}.new ${GUARDFEED_PACKAGED_CONFIG} COPYONLY)

install(TARGETS guardfeed RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Absolute destinations: Debian's paths whatever the prefix (the package's prefix is /usr).
install(FILES ${GUARDFEED_PACKAGED_CONFIG} DESTINATION /etc/guardfeed
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/guardfeed.service
        DESTINATION /lib/systemd/system
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/CHANGELOG.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md")
install(FILES ${PROJECT_SOURCE_DIR}/config/guardfeed.example.toml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME guardfeed)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "guardfeed")
set(GUARDFEED_DEB_MAINTAINER "guardfeed maintainers <guardfeed@example.org>" CACHE STRING
    "Maintainer field of the Debian package (Name <address>)")
set(CPACK_PACKAGE_CONTACT "${GUARDFEED_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "AWS GuardDuty findings to firewall block lists")
set(CPACK_PACKAGE_DESCRIPTION
"guardfeed turns AWS GuardDuty findings into threat feeds that firewalls consume:
Juniper SRX Security Intelligence, FortiGate external threat feeds, Palo Alto EDLs,
pfSense/OPNsense URL tables and Check Point IoC feeds. The daemon (guardfeed serve)
takes findings in over HTTP or pulls them from AWS, keeps its state in SQLite or
PostgreSQL, and serves and publishes the feeds (directory, S3, Juniper ATP Cloud).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Libraries from dpkg-shlibdeps, appended to this: procps for ExecReload's /bin/kill.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "procps")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
include(CPack)
