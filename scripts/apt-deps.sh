#!/usr/bin/env bash
# Debian packages the tests need: Chromium (browser tests), CJK fonts (screenshots, PDFs),
# LibreOffice Writer and poppler (DOCX → PDF → PNG rendering tests), cmake and g++ (llama.cpp, built once by
# scripts/llm-server.sh). Installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# The real inference server of the drafting tests (scripts/llm-server.sh) compiles llama.cpp once.
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "安装 Debian 软件包：${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
