# SPDX-License-Identifier: MIT
# The Debian package: `cpack -G DEB` in a build folder (README.md, "Install from the package").
# Dependencies are Debian's package names, found by dpkg-shlibdeps from the libraries the
# programs link; every file under /etc is a conffile, so dpkg never overwrites a clinic's
# changed configuration (Debian Policy 10.7.3, deb-conffiles(5)); the maintainer scripts are
# packaging/debian/.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vitalsd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "vitalsd maintainers <maintainers@vitalsd.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "vital-signs monitoring daemon for infusion-clinic observation areas")
set(CPACK_PACKAGE_DESCRIPTION
    "vitalsd polls bedside monitors (serial, Modbus RTU/TCP), records readings in
SQLite against the visit's session id and raises threshold and technical
alerts over MQTT for the nurses' dashboard. vitalsctl is the staff,
technician and auditor tool.")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The broker the daemon and the dashboard talk to, on this machine unless configured otherwise.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mosquitto")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mosquitto-clients")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# conffiles: every file the package puts under /etc.
set(conffiles "${VSD_ETC}/vitalsd.conf\n")
file(GLOB VSD_PROFILES RELATIVE ${CMAKE_SOURCE_DIR}/config/profiles CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/config/profiles/*.conf)
foreach(p ${VSD_PROFILES})
  string(APPEND conffiles "${VSD_ETC}/profiles/${p}\n")
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/packaging/conffiles "${conffiles}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/packaging/conffiles ${CMAKE_CURRENT_LIST_DIR}/debian/postinst
    ${CMAKE_CURRENT_LIST_DIR}/debian/prerm ${CMAKE_CURRENT_LIST_DIR}/debian/postrm)
include(CPack)
