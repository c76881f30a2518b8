<?xml version="1.0" encoding="utf-8"?>
<!-- Shows a Plenary Atom feed as a page when it is opened in a browser; feed readers read the
     XML and ignore this stylesheet. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/> (feed)</title>
        <link rel="stylesheet" href="/static/plenary.css"/>
      </head>
      <body>
        <main id="main">
          <p class="notice">This is a news feed. Copy this page's address into a feed reader to
            be told of every new round; or read the entries below.</p>
          <h1><xsl:value-of select="atom:title"/></h1>
          <p><a href="{atom:link[@rel='alternate']/@href}">Open the page this feed follows</a></p>
          <ol class="feed-entries">
            <xsl:for-each select="atom:entry">
              <li>
                <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
                <p class="muted"><xsl:value-of select="substring(atom:updated, 1, 10)"/></p>
                <p><xsl:value-of select="atom:summary"/></p>
              </li>
            </xsl:for-each>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
